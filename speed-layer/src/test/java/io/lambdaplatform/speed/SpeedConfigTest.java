package io.lambdaplatform.speed;

import com.typesafe.config.ConfigFactory;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SpeedConfigTest {

    @Test
    void readsTheDocumentedDefaults() {
        SpeedConfig config = SpeedConfig.from(ConfigFactory.defaultReference().resolve(), Path.of("/data/stack"));

        assertThat(config.eventsTopic()).isEqualTo("events");
        assertThat(config.deadLetterTopic()).isEqualTo("events.dlq");
        assertThat(config.applicationId()).isEqualTo("lambda-speed");
        assertThat(config.stateDir().getParent()).isEqualTo(Path.of("/data/stack/speed-state"));
        assertThat(config.stateDir().getFileName().toString()).startsWith("instance-" + ProcessHandle.current().pid() + "-");
        assertThat(config.stateDirOwned()).isTrue();
        assertThat(config.standbyReplicas()).isZero();
        assertThat(config.productTasks()).isZero();
        assertThat(config.ingestBuckets().width()).isEqualTo(Duration.ofMinutes(1));
        assertThat(config.dedupHorizon()).isEqualTo(Duration.ofHours(24));
        assertThat(config.retention()).isEqualTo(Duration.ofDays(7));
        assertThat(config.maxWritesInFlight()).isEqualTo(256);
        assertThat(config.httpHost()).isEqualTo("127.0.0.1");
        assertThat(config.httpPort()).isZero();
        assertThat(config.streamsOverrides()).isEmpty();
    }

    @Test
    void buildsExactlyOnceStreamsPropertiesWithPassThroughOverridesLast() {
        SpeedConfig config = SpeedConfig.from(ConfigFactory.parseMap(Map.of(
                        "lambda.speed.streams", Map.of("producer.transaction.timeout.ms", 60000, "num.standby.replicas", 1),
                        "lambda.speed.state-dir", "/var/lib/speed"))
                .withFallback(ConfigFactory.defaultReference()).resolve(), null);

        Properties properties = SpeedTopology.streamsProperties(config);

        assertThat(properties.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo("exactly_once_v2");
        assertThat(properties.get(StreamsConfig.STATE_DIR_CONFIG)).isEqualTo("/var/lib/speed");
        assertThat(config.stateDirOwned()).isFalse();
        assertThat(properties.get("producer.transaction.timeout.ms")).isEqualTo("60000");
        assertThat(properties.get("num.standby.replicas")).isEqualTo("1");
        assertThat(config.toString()).contains("streamsOverrides=[num.standby.replicas, producer.transaction.timeout.ms]")
                .doesNotContain("60000");
    }

    @Test
    void twoInstancesOnOneMachineGetTheirOwnStateDirectoriesAndConfiguredStandbys() {
        SpeedConfig first = SpeedConfig.from(ConfigFactory.defaultReference().resolve(), Path.of("/data/stack"));
        SpeedConfig second = SpeedConfig.from(ConfigFactory.parseMap(Map.of("lambda.speed.standby-replicas", 1, "lambda.speed.product-tasks", 12))
                .withFallback(ConfigFactory.defaultReference()).resolve(), Path.of("/data/stack"));

        assertThat(first.stateDir()).isNotEqualTo(second.stateDir());
        assertThat(SpeedTopology.streamsProperties(second).get(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG)).isEqualTo(1);
        assertThat(second.productTasks()).isEqualTo(12);
    }

    @Test
    void rejectsADeadLetterTopicEqualToTheEventsTopic() {
        assertThatThrownBy(() -> SpeedConfig.from(ConfigFactory.parseMap(Map.of("lambda.kafka.dead-letter-topic", "events"))
                .withFallback(ConfigFactory.defaultReference()).resolve(), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("The dead-letter topic must differ from the events topic: events");
    }

    @Test
    void rejectsARetentionUnderAMinute() {
        assertThatThrownBy(() -> SpeedConfig.from(ConfigFactory.parseMap(Map.of("lambda.speed.retention", "30s"))
                .withFallback(ConfigFactory.defaultReference()).resolve(), null))
                .hasMessageContaining("retention must be at least a minute: PT30S");
    }
}
