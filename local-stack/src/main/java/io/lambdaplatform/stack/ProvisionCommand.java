package io.lambdaplatform.stack;

import io.lambdaplatform.model.cli.ConfigSourceOptions;
import io.lambdaplatform.model.cli.Entrypoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code provision}: creates the platform's topics, view schema and bucket on servers that run already (containers of
 * {@code docker compose}, real clusters), from the configuration every deployable reads. Idempotent, so it may run on
 * every start.
 */
@Command(name = "provision",
        description = "Creates the events topic (LogAppendTime) and the dead-letter topic, the view schema and the bucket "
                + "on running servers; waits for them to accept clients. Safe to run again.")
public final class ProvisionCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    @Mixin
    private ConfigSourceOptions source;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "" + StackOptions.DEFAULT_PARTITIONS,
            description = "Partitions of the events and dead-letter topics (default: ${DEFAULT-VALUE}).")
    private int partitions;

    @Option(names = "--topic-replication-factor", paramLabel = "N", defaultValue = "1",
            description = "Replicas of each topic partition when a topic is created (default: ${DEFAULT-VALUE}).")
    private short topicReplicationFactor;

    @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "180",
            description = "How long to keep retrying while a server does not accept clients yet (default: ${DEFAULT-VALUE}).")
    private long waitSeconds;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        ProvisionPlan plan = ProvisionPlan.from(source.load(), partitions, topicReplicationFactor);
        Provisioning.apply(plan, Duration.ofSeconds(waitSeconds));
        out.printf("Kafka %s: topic %s (%d partitions, %s) and topic %s ready%n", plan.kafka().bootstrapServers(),
                plan.topics().eventsTopic(), plan.topics().partitions(), Provisioning.LOG_APPEND_TIME, plan.topics().deadLetterTopic());
        out.printf("Cassandra %s: view schema in keyspace %s ready%n", plan.cassandra().contactPoints(), plan.cassandra().keyspace());
        out.printf("S3 %s: bucket %s ready%n", plan.s3().endpoint() == null ? "(AWS)" : plan.s3().endpoint(), plan.s3().bucket());
        out.flush();
        return Entrypoint.OK;
    }
}
