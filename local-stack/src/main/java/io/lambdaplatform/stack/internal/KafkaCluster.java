package io.lambdaplatform.stack.internal;

import io.lambdaplatform.stack.Provisioning;
import io.lambdaplatform.stack.StackStartException;
import io.lambdaplatform.stack.TopicLayout;
import org.apache.kafka.clients.admin.Admin;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/** The brokers of a Kafka cluster of the cluster stack, as one: ready once every broker has registered. */
public final class KafkaCluster {
    private static final long DESCRIBE_TIMEOUT_MS = 10_000;

    private final List<KafkaNode> members;

    public KafkaCluster(List<KafkaNode> members) {
        this.members = List.copyOf(requireNonNull(members, "members is null"));
        if (this.members.isEmpty()) {
            throw new IllegalArgumentException("A cluster needs at least one broker");
        }
    }

    public List<KafkaNode> members() {
        return members;
    }

    /** Every broker's {@code host:port}, comma-separated, as clients take it. */
    public String bootstrap() {
        return members.stream().map(KafkaNode::bootstrap).collect(Collectors.joining(","));
    }

    /**
     * Waits until every broker has registered with the controller quorum, then creates the topics.
     *
     * @param jvms the brokers' JVMs: waiting fails as soon as one exits
     */
    public void awaitFormed(List<ChildJvm> jvms, Instant deadline, TopicLayout topics) {
        requireNonNull(topics, "topics is null");
        try (Admin admin = KafkaNode.admin(bootstrap(), members.get(0).clientSecurity())) {
            Readiness.await(jvms, deadline, "the Kafka cluster " + bootstrap() + " has " + members.size() + " brokers", () -> {
                Collection<org.apache.kafka.common.Node> brokers = admin.describeCluster().nodes().get(DESCRIBE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                if (brokers.size() != members.size()) {
                    throw new StackStartException("Only " + brokers.size() + " of " + members.size() + " brokers registered: " + brokers);
                }
                return null;
            });
            Readiness.await(jvms, deadline, "the topics " + topics.eventsTopic() + " and " + topics.deadLetterTopic() + " exist on " + bootstrap(), () -> {
                Provisioning.ensureTopics(admin, topics);
                return null;
            });
        }
    }
}
