package io.lambdaplatform.stack.internal;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.auth.AuthenticationException;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.config.ProgrammaticDriverConfigLoaderBuilder;
import com.datastax.oss.driver.internal.core.ssl.DefaultSslEngineFactory;

import io.lambdaplatform.model.config.HostPort;

import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * An Apache Cassandra node from {@code cassandra-all}, with a generated {@code cassandra.yaml}: one token, a
 * loopback address, its four directories under the data directory. It is ready when a CQL session connects; then
 * the schema is applied through that session.
 *
 * <p>Either the single node of the local stack ({@link #single}: {@code cassandra} on 127.0.0.1, token 0), or one
 * member of a ring ({@link #ringMember}: {@code cassandra-N} on 127.0.0.N, all on the same ports, the first node
 * the seed). A ring's tokens are evenly spaced and fixed and its members do not bootstrap (a new ring holds no data
 * to stream), so the members may join at once; restarts find their tokens in their own system tables.
 */
public final class CassandraNode implements ServerNode {
    public static final String NAME = "cassandra";
    public static final String DATACENTER = "datacenter1";
    /** What a ring member's schema step does: the ring applies the schema once every member is up. */
    public static final Consumer<CqlSession> NO_SCHEMA = session -> {};

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
    private final String name;
    private final String host;
    private final String seedHost;
    private final String initialToken;
    private final boolean ringMember;
    private final String maxHeap;
    private final int storagePort;
    private final int nativePort;
    private final Consumer<CqlSession> schema;
    private final int number;
    private final ClusterSecurity security;

    private CassandraNode(Path dataDir, String name, String host, String seedHost, String initialToken, boolean ringMember, String maxHeap,
            int storagePort, int nativePort, Consumer<CqlSession> schema, int number, ClusterSecurity security) {
        this.dataDir = requireNonNull(dataDir, "dataDir is null");
        this.name = requireNonNull(name, "name is null");
        this.host = requireNonNull(host, "host is null");
        this.seedHost = requireNonNull(seedHost, "seedHost is null");
        this.initialToken = requireNonNull(initialToken, "initialToken is null");
        this.ringMember = ringMember;
        this.maxHeap = requireNonNull(maxHeap, "maxHeap is null");
        this.storagePort = storagePort;
        this.nativePort = nativePort;
        this.schema = requireNonNull(schema, "schema is null");
        this.number = number;
        this.security = security;
    }

    /**
     * The local stack's only node, {@code cassandra} on 127.0.0.1 with a 1 GiB heap.
     *
     * @param schema applied through the first session once the node accepts CQL; must be idempotent, as it runs on
     *        every start
     */
    public static CassandraNode single(Path dataDir, int storagePort, int nativePort, Consumer<CqlSession> schema) {
        return new CassandraNode(dataDir, NAME, LoopbackPorts.HOST, LoopbackPorts.HOST, "0", false, "1g", storagePort, nativePort, schema, 1, null);
    }

    /**
     * Member {@code number} (1-based) of a ring of {@code size} nodes: {@code cassandra-N} on {@code 127.0.0.N}, seeded
     * by {@code 127.0.0.1}, with a heap of {@code maxHeap} (a JVM size such as {@code 768m}).
     */
    public static CassandraNode ringMember(Path dataDir, int number, int size, String maxHeap, int storagePort, int nativePort) {
        if (number < 1 || number > size) {
            throw new IllegalArgumentException("Ring member " + number + " is not in 1.." + size);
        }
        return new CassandraNode(dataDir, NAME + "-" + number, LoopbackHosts.of(number), LoopbackHosts.of(1), ringToken(number, size), true, maxHeap,
                storagePort, nativePort, NO_SCHEMA, number, null);
    }

    /** This member with password authentication and client TLS required, its certificate from {@code security}. */
    public CassandraNode secured(ClusterSecurity newSecurity) {
        requireNonNull(newSecurity, "security is null");
        return new CassandraNode(dataDir, name, host, seedHost, initialToken, ringMember, maxHeap, storagePort, nativePort, schema, number, newSecurity);
    }

    /** The Murmur3 token of member {@code number} of a ring of {@code size}: evenly spaced from {@code Long.MIN_VALUE}. */
    static String ringToken(int number, int size) {
        BigInteger span = BigInteger.TWO.pow(64);
        return BigInteger.valueOf(Long.MIN_VALUE).add(span.multiply(BigInteger.valueOf(number - 1)).divide(BigInteger.valueOf(size))).toString();
    }

    @Override
    public String name() {
        return name;
    }

    public String host() {
        return host;
    }

    public String contactPoint() {
        return host + ":" + nativePort;
    }

    public Path yamlFile() {
        return dataDir.resolve("conf").resolve(name + ".yaml");
    }

    @Override
    public ChildJvm launch() {
        Path yaml = yamlFile();
        Path logback = dataDir.resolve("conf").resolve("cassandra-logback.xml");
        if (security == null) {
            ConfigFiles.write(yaml, cassandraYaml());
        }
        else {
            ConfigFiles.writeOwnerOnly(yaml, cassandraYaml());
        }
        ConfigFiles.write(logback, ConfigFiles.LOGBACK_TO_STDOUT);
        List<String> jvmOptions = Stream.concat(
                Stream.of(
                        "-Xms" + (ringMember ? maxHeap : "256m"), "-Xmx" + maxHeap,
                        "-XX:+UseG1GC",
                        "-XX:+ExitOnOutOfMemoryError",
                        "-Djava.net.preferIPv4Stack=true",
                        "-Dcassandra.config=" + yaml.toUri(),
                        "-Dcassandra-foreground=true",
                        "-Dcassandra.storagedir=" + home(),
                        "-Dcassandra.logdir=" + dataDir.resolve("logs"),
                        "-Dcassandra.skip_wait_for_gossip_to_settle=0",
                        "-Dlogback.configurationFile=" + logback.toUri(),
                        "-Dlambda.stack.server=" + name,
                        "-Dlambda.stack.data-dir=" + dataDir),
                Stream.concat(security == null ? Stream.of() : Stream.of(
                                // system_auth replicated on every member from the start, so the default superuser made
                                // while the ring forms stays readable at QUORUM; made 2 s after start, retried every 2 s
                                // until a quorum of its replicas is up.
                                "-Dcassandra.system_auth.default_rf=3",
                                "-Dcassandra.superuser_setup_delay_ms=2000"),
                        JVM17_SERVER_OPTIONS.stream())).toList();
        return ChildJvm.start(new ChildJvmSpec(name, ServerClasspath.of(NAME), jvmOptions,
                "org.apache.cassandra.service.CassandraDaemon", List.of(), dataDir.resolve("logs").resolve(name + ".log")));
    }

    @Override
    public void awaitReady(ChildJvm jvm, Instant deadline) {
        Readiness.awaitPort(jvm, deadline, host, nativePort);
        if (security != null) {
            Readiness.await(jvm, deadline, "Cassandra at " + contactPoint() + " asks TLS clients for credentials", this::asksForCredentials);
            jvm.markAcceptingClients();
            return;
        }
        try (CqlSession session = Readiness.await(jvm, deadline, "Cassandra at " + contactPoint() + " accepts CQL sessions", this::connect)) {
            jvm.markAcceptingClients();
            schema.accept(session);
        }
    }

    private CqlSession connect() {
        return session(List.of(contactPoint()));
    }

    /**
     * Whether the node takes a TLS connection and answers a login: with {@value ClusterSecurity#CASSANDRA_USER}'s
     * password, or with an authentication error (before the ring has made that role, or while the default superuser
     * cannot be read at QUORUM yet). The ring logs in properly once all its members run.
     */
    private boolean asksForCredentials() {
        try (CqlSession session = session(List.of(contactPoint()), security, ClusterSecurity.CASSANDRA_USER, security.cassandraPassword())) {
            return session != null;
        }
        catch (AllNodesFailedException e) {
            boolean authenticationFailed = e.getAllErrors().values().stream().flatMap(List::stream)
                    .anyMatch(error -> error instanceof AuthenticationException);
            if (authenticationFailed) {
                return true;
            }
            throw e;
        }
    }

    /** A short-lived session with generous timeouts, for the launcher's own checks and the schema. */
    public static CqlSession session(List<String> contactPoints) {
        return session(contactPoints, null, null, null);
    }

    /**
     * A short-lived session with generous timeouts; with {@code security}, over TLS (the stack's trust store, hostname
     * validation on) as {@code username}.
     */
    public static CqlSession session(List<String> contactPoints, ClusterSecurity security, String username, String password) {
        CqlSessionBuilder builder = CqlSession.builder();
        for (String contactPoint : contactPoints) {
            HostPort address = HostPort.parse(contactPoint, "contact point");
            builder.addContactPoint(new InetSocketAddress(address.host(), address.port()));
        }
        ProgrammaticDriverConfigLoaderBuilder config = DriverConfigLoader.programmaticBuilder();
        if (security != null) {
            builder.withAuthCredentials(username, password);
            config = config
                    .withClass(DefaultDriverOption.SSL_ENGINE_FACTORY_CLASS, DefaultSslEngineFactory.class)
                    .withString(DefaultDriverOption.SSL_TRUSTSTORE_PATH, security.truststore().toString())
                    .withString(DefaultDriverOption.SSL_TRUSTSTORE_PASSWORD, security.storePassword())
                    .withBoolean(DefaultDriverOption.SSL_HOSTNAME_VALIDATION, true)
                    // check the address as given against the certificate's IP SAN, not a name found by reverse lookup
                    .withBoolean(DefaultDriverOption.SSL_ALLOW_DNS_REVERSE_LOOKUP_SAN, false);
        }
        return builder
                .withLocalDatacenter(DATACENTER)
                .withConfigLoader(config
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

    private Path home() {
        return dataDir.resolve(name);
    }

    /** The generated {@code cassandra.yaml}: rewritten on every start, as the ports change; the data stays. */
    public String cassandraYaml() {
        Path home = home();
        return String.join("\n",
                "# Generated by local-stack on every start; the ports change, the data in the directories stays.",
                "cluster_name: lambda-local",
                "num_tokens: 1",
                "initial_token: " + initialToken,
                // A new ring has nothing to stream; with fixed tokens its members join together.
                "auto_bootstrap: " + !ringMember,
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
                "      - seeds: \"" + seedHost + ":" + storagePort + "\"",
                "listen_address: " + host,
                "rpc_address: " + host,
                "storage_port: " + storagePort,
                "native_transport_port: " + nativePort,
                "start_native_transport: true",
                "endpoint_snitch: SimpleSnitch",
                "commitlog_sync: periodic",
                "commitlog_sync_period: 10000ms",
                "auto_snapshot: false",
                securityYaml(),
                "");
    }

    /** Password authentication and required client TLS for a secured member: owner-only, as it holds the key store's password. */
    private String securityYaml() {
        if (security == null) {
            return "# no authentication, no client encryption";
        }
        return String.join("\n",
                "authenticator:",
                "  class_name: org.apache.cassandra.auth.PasswordAuthenticator",
                "client_encryption_options:",
                "  enabled: true",
                "  optional: false",
                "  keystore: " + security.keystore(number),
                "  keystore_password: " + security.storePassword(),
                "  truststore: " + security.truststore(),
                "  truststore_password: " + security.storePassword(),
                "  store_type: " + ClusterSecurity.STORE_TYPE,
                "  require_client_auth: false");
    }
}
