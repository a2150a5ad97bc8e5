package io.lambdaplatform.stack;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code stack}: starts the three servers, writes {@code endpoints.json}, and blocks until stopped. */
@Command(name = "stack",
        description = "Starts real Kafka (KRaft), Cassandra and S3Proxy servers on 127.0.0.1, writes DIR/endpoints.json "
                + "and blocks; Ctrl-C or SIGTERM stops them cleanly.")
public final class StackCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(StackCommand.class);

    @Spec
    private CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = ".lambda-local/stack",
            description = "Data, configuration and logs of the servers (default: ${DEFAULT-VALUE}).")
    private Path dataDir;

    @Option(names = "--fresh", description = "Wipe the data directory first; otherwise a restart keeps all data.")
    private boolean fresh;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "" + StackOptions.DEFAULT_PARTITIONS,
            description = "Partitions of the events and events.dlq topics (default: ${DEFAULT-VALUE}).")
    private int partitions;

    @Option(names = "--keyspace", paramLabel = "NAME", defaultValue = StackOptions.DEFAULT_KEYSPACE,
            description = "Cassandra keyspace of the views (default: ${DEFAULT-VALUE}).")
    private String keyspace;

    @Option(names = "--bucket", paramLabel = "NAME", defaultValue = StackOptions.DEFAULT_BUCKET,
            description = "S3 bucket of the master dataset (default: ${DEFAULT-VALUE}).")
    private String bucket;

    @Option(names = "--cluster",
            description = "Start clusters on 127.0.0.1-3: 3 Cassandra nodes (keyspace at replication factor 3), 3 Kafka brokers (topics at "
                    + "replication factor 3, min.insync.replicas=2), S3Proxy, and with --spark-classpath a Spark standalone master and 2 workers.")
    private boolean cluster;

    @Option(names = "--spark-classpath", paramLabel = "FILE",
            description = "With --cluster: the file listing Spark's jars that the batch-layer build writes, "
                    + "batch-layer/target/launcher-provided.classpath; a Spark standalone master and 2 workers run on them.")
    private Path sparkClasspath;

    @Option(names = "--secure",
            description = "With --cluster: Kafka on SASL_SSL (SCRAM-SHA-512) and Cassandra with password authentication and client TLS; "
                    + "certificates and passwords are generated into DIR/tls on the first start and endpoints.json carries what clients need.")
    private boolean secure;

    @Option(names = "--start-timeout", paramLabel = "SECONDS", defaultValue = "180",
            description = "How long each server may take to accept clients (default: ${DEFAULT-VALUE}).")
    private long startTimeoutSeconds;

    @Override
    public Integer call() throws InterruptedException {
        StackOptions options = StackOptions.of(dataDir)
                .withFresh(fresh)
                .withPartitions(partitions)
                .withKeyspace(keyspace)
                .withBucket(bucket)
                .withStartTimeout(Duration.ofSeconds(startTimeoutSeconds))
                .withCluster(cluster)
                .withSparkClasspath(sparkClasspath)
                .withSecure(secure);
        PrintWriter out = spec.commandLine().getOut();
        String what = !cluster ? "Kafka, Cassandra and S3Proxy"
                : (secure ? "secured " : "") + "3 Cassandra nodes, 3 Kafka brokers, S3Proxy"
                        + (sparkClasspath == null ? "" : " and Spark standalone (a master, 2 workers)");
        out.println("Starting " + what + " in " + options.dataDir() + " (logs in " + options.dataDir().resolve("logs") + ")");
        out.flush();

        RunningStack stack = LocalStack.start(options);
        Runtime.getRuntime().addShutdownHook(new Thread(stack::close, "local-stack-shutdown"));

        for (RunningServer server : stack.servers()) {
            out.printf("  %-14s ready in %5s s   pid %-8d log %s%n", server.name(), LocalStack.seconds(server.startDuration()), server.pid(), server.logFile());
        }
        out.println();
        stack.endpoints().asMap().forEach((key, value) -> out.printf("  %-36s %s%n", key, StackSecurity.isSecret(key) ? "(in endpoints.json)" : value));
        out.println();
        out.println("Endpoints written to " + options.dataDir().resolve(StackEndpoints.FILE_NAME) + ". Ctrl-C stops the stack.");
        out.flush();

        RunningServer exited = stack.awaitServerExit();
        if (stack.isClosing()) {
            return 0;
        }
        log.error("{} (pid {}) exited unexpectedly; see {}. Stopping the other servers.", exited.name(), exited.pid(), exited.logFile());
        stack.close();
        return 1;
    }
}
