package io.lambdaplatform.stack.internal;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * A single Apache Cassandra node from {@code cassandra-all}, with a generated {@code cassandra.yaml}: one token,
 * loopback addresses, its four directories under the data directory. It is ready when a CQL session connects;
 * then the schema is applied through that session.
 */
public final class CassandraNode implements ServerNode {
    public static final String NAME = "cassandra";
    public static final String DATACENTER = "datacenter1";

    // The --add-exports/--add-opens of Cassandra 5.0's conf/jvm17-server.options, plus its Netty settings.
    private static final List<String> JVM17_SERVER_OPTIONS = List.of(
            "-Djdk.attach.allowAttachSelf=true",
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-exports", "java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
            "--add-exports", "java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports", "java.rmi/sun.rmi.server=ALL-UNNAMED",
            "--add-exports", "java.sql/java.sql=ALL-UNNAMED",
            "--add-exports", "java.base/java.lang.ref=ALL-UNNAMED",
            "--add-exports", "jdk.unsupported/sun.misc=ALL-UNNAMED",
            "--add-exports", "jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
            "--add-exports", "jdk.attach/sun.tools.attach=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang.module=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.loader=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.reflect=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.math=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.module=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.util.jar=ALL-UNNAMED",
            "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens", "java.base/java.io=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens", "jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang=ALL-UNNAMED",
            "--add-opens", "java.base/java.util=ALL-UNNAMED",
            "-Dio.netty.tryReflectionSetAccessible=true",
            "-Dio.netty.allocator.useCacheForAllThreads=true",
            "-Dio.netty.allocator.maxOrder=11");

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final Path dataDir;
    private final int storagePort;
    private final int nativePort;
    private final Consumer<CqlSession> schema;

    /**
     * @param schema applied through the first session once the node accepts CQL; must be idempotent, as it runs on
     *        every start
     */
    public CassandraNode(Path dataDir, int storagePort, int nativePort, Consumer<CqlSession> schema) {
        this.dataDir = requireNonNull(dataDir, "dataDir is null");
        this.storagePort = storagePort;
        this.nativePort = nativePort;
        this.schema = requireNonNull(schema, "schema is null");
    }

    @Override
    public String name() {
        return NAME;
    }

    public String contactPoint() {
        return LoopbackPorts.HOST + ":" + nativePort;
    }

    @Override
    public ChildJvm launch() {
        Path home = dataDir.resolve("cassandra");
        Path yaml = dataDir.resolve("conf").resolve("cassandra.yaml");
        Path logback = dataDir.resolve("conf").resolve("cassandra-logback.xml");
        ConfigFiles.write(yaml, cassandraYaml(home));
        ConfigFiles.write(logback, ConfigFiles.LOGBACK_TO_STDOUT);
        List<String> jvmOptions = Stream.concat(
                Stream.of(
                        "-Xms256m", "-Xmx1g",
                        "-XX:+UseG1GC",
                        "-XX:+ExitOnOutOfMemoryError",
                        "-Djava.net.preferIPv4Stack=true",
                        "-Dcassandra.config=" + yaml.toUri(),
                        "-Dcassandra-foreground=true",
                        "-Dcassandra.storagedir=" + home,
                        "-Dcassandra.logdir=" + dataDir.resolve("logs"),
                        "-Dcassandra.skip_wait_for_gossip_to_settle=0",
                        "-Dlogback.configurationFile=" + logback.toUri(),
                        "-Dlambda.stack.server=" + NAME,
                        "-Dlambda.stack.data-dir=" + dataDir),
                JVM17_SERVER_OPTIONS.stream()).toList();
        return ChildJvm.start(new ChildJvmSpec(NAME, ServerClasspath.of(NAME), jvmOptions,
                "org.apache.cassandra.service.CassandraDaemon", List.of(), dataDir.resolve("logs").resolve(NAME + ".log")));
    }

    @Override
    public void awaitReady(ChildJvm jvm, Instant deadline) {
        Readiness.awaitPort(jvm, deadline, nativePort);
        try (CqlSession session = Readiness.await(jvm, deadline, "Cassandra at " + contactPoint() + " accepts CQL sessions", this::connect)) {
            jvm.markAcceptingClients();
            schema.accept(session);
        }
    }

    private CqlSession connect() {
        return CqlSession.builder()
                .addContactPoint(new InetSocketAddress(LoopbackPorts.HOST, nativePort))
                .withLocalDatacenter(DATACENTER)
                .withConfigLoader(DriverConfigLoader.programmaticBuilder()
                        .withDuration(DefaultDriverOption.CONNECTION_CONNECT_TIMEOUT, CONNECT_TIMEOUT)
                        .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, CONNECT_TIMEOUT)
                        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, REQUEST_TIMEOUT)
                        .withDuration(DefaultDriverOption.METADATA_SCHEMA_REQUEST_TIMEOUT, REQUEST_TIMEOUT)
                        .withDuration(DefaultDriverOption.CONTROL_CONNECTION_AGREEMENT_TIMEOUT, REQUEST_TIMEOUT)
                        // a short-lived session: do not linger two seconds on close
                        .withInt(DefaultDriverOption.NETTY_IO_SHUTDOWN_QUIET_PERIOD, 0)
                        .withInt(DefaultDriverOption.NETTY_ADMIN_SHUTDOWN_QUIET_PERIOD, 0)
                        .build())
                .build();
    }

    private String cassandraYaml(Path home) {
        return String.join("\n",
                "# Generated by local-stack on every start; the ports change, the data in the directories stays.",
                "cluster_name: lambda-local",
                "num_tokens: 1",
                "initial_token: 0",
                "partitioner: org.apache.cassandra.dht.Murmur3Partitioner",
                "data_file_directories:",
                "  - " + home.resolve("data"),
                "commitlog_directory: " + home.resolve("commitlog"),
                "saved_caches_directory: " + home.resolve("saved_caches"),
                "hints_directory: " + home.resolve("hints"),
                "cdc_raw_directory: " + home.resolve("cdc_raw"),
                "seed_provider:",
                "  - class_name: org.apache.cassandra.locator.SimpleSeedProvider",
                "    parameters:",
                "      - seeds: \"" + LoopbackPorts.HOST + ":" + storagePort + "\"",
                "listen_address: " + LoopbackPorts.HOST,
                "rpc_address: " + LoopbackPorts.HOST,
                "storage_port: " + storagePort,
                "native_transport_port: " + nativePort,
                "start_native_transport: true",
                "endpoint_snitch: SimpleSnitch",
                "commitlog_sync: periodic",
                "commitlog_sync_period: 10000ms",
                "auto_snapshot: false",
                "");
    }

}
