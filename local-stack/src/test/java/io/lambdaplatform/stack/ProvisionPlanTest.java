package io.lambdaplatform.stack;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.lambdaplatform.model.config.S3Settings;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProvisionPlanTest {

    private static Config config(String overrides) {
        return ConfigFactory.parseString(overrides).withFallback(ConfigFactory.defaultReference()).resolve();
    }

    @Test
    void readsThePlatformKeysAsTheComposeFileSetsThem() {
        ProvisionPlan plan = ProvisionPlan.from(config("""
                lambda.kafka.bootstrap-servers = "kafka:9092"
                lambda.cassandra.contact-points = ["cassandra:9042"]
                lambda.cassandra.replication-factor = 3
                lambda.s3 { endpoint = "http://s3:80", path-style-access = true, access-key = "lambda", secret-key = "s3cr3t", bucket = "master-data" }
                """), 6, (short) 2);

        assertThat(plan.kafka().bootstrapServers()).isEqualTo("kafka:9092");
        assertThat(plan.topics()).isEqualTo(new TopicLayout("events", "events.dlq", 6, (short) 2));
        assertThat(plan.cassandra().contactPoints()).isEqualTo(List.of("cassandra:9042"));
        assertThat(plan.cassandra().keyspace()).isEqualTo("lambda");
        assertThat(plan.cassandraReplicationFactor()).isEqualTo(3);
        assertThat(plan.s3()).isEqualTo(new S3Settings("http://s3:80", "master-data", "us-east-1", true, "lambda", "s3cr3t"));
    }

    @Test
    void theDefaultsMeanAwsS3WithTheDefaultCredentialChain() {
        S3Settings store = ProvisionPlan.from(config(""), 3, (short) 1).s3();

        assertThat(store.endpoint()).isNull();
        assertThat(store.accessKey()).isNull();
        assertThat(store.pathStyleAccess()).isFalse();
        assertThat(store.bucket()).isEqualTo("lambda");
    }

    @Test
    void rejectsHalfTheCredentials() {
        assertThatThrownBy(() -> ProvisionPlan.from(config("lambda.s3.access-key = \"lambda\""), 3, (short) 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lambda.s3.access-key and lambda.s3.secret-key go together");
    }

    @Test
    void rejectsAnEndpointThatIsNoUrl() {
        assertThatThrownBy(() -> ProvisionPlan.from(config("lambda.s3.endpoint = \"s3:80\""), 3, (short) 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lambda.s3.endpoint must start with http:// or https://: s3:80");
    }

    @Test
    void rejectsTopicLayoutsThePlatformCannotUse() {
        assertThatThrownBy(() -> new TopicLayout("events", "events", 3, (short) 1))
                .hasMessageContaining("the events and dead-letter topics must differ: events");
        assertThatThrownBy(() -> new TopicLayout("events", "events.dlq", 0, (short) 1))
                .hasMessageContaining("partitions must be at least 1: 0");
        assertThatThrownBy(() -> new TopicLayout("events", "events.dlq", 3, (short) 0))
                .hasMessageContaining("replicationFactor must be at least 1: 0");
        assertThatThrownBy(() -> new TopicLayout("events", "events.dlq", 3, (short) 3, 4))
                .hasMessageContaining("minInSyncReplicas must be in 1..3: 4");
        assertThat(new TopicLayout("events", "events.dlq", 3, (short) 3).minInSyncReplicas()).isEqualTo(1);
    }

    @Test
    void rejectsAReplicationFactorBelowOne() {
        assertThatThrownBy(() -> ProvisionPlan.from(config("lambda.cassandra.replication-factor = 0"), 3, (short) 1))
                .hasMessageContaining("replication-factor");
    }
}
