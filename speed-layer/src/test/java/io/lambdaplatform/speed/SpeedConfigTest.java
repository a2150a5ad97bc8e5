package io.lambdaplatform.speed;

import com.typesafe.config.ConfigFactory;
import io.lambdaplatform.model.IngestBuckets;
import io.lambdaplatform.model.RuleSettings;
import io.lambdaplatform.model.config.PlatformMode;
import io.lambdaplatform.model.config.ConfigMappingAssertions;
import io.lambdaplatform.model.config.SharedKeys;
import io.lambdaplatform.viewstore.CassandraKeys;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import static io.lambdaplatform.model.config.ConfigMappingAssertions.assertFullMapping;
import static io.lambdaplatform.model.config.ConfigMappingAssertions.assertRecordedDefaults;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SpeedConfigTest {

    private static final Path STACK = Path.of("/data/stack");

    @Test
    void defaults() {
        SpeedConfig expected = new SpeedConfig(SharedKeys.KAFKA_DEFAULTS, CassandraKeys.DEFAULTS, CassandraKeys.REPLICATION_FACTOR_DEFAULT,
                new IngestBuckets(SharedKeys.INGEST_BUCKET_WIDTH_DEFAULT), "lambda-speed", Path.of("ignored"), true, 1, 0, 0,
                Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ofSeconds(5), -1, Duration.ofHours(24), Duration.ofDays(7), Duration.ofMinutes(10), 256, Duration.ofMillis(100),
                Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(1), 1_000_000, true, "127.0.0.1", 0,
                Map.of(), PlatformMode.LAMBDA, RuleSettings.NONE, Duration.ofDays(7));

        assertRecordedDefaults(config -> SpeedConfig.from(config, STACK), expected, "stateDir");
        SpeedConfig config = SpeedConfig.from(ConfigMappingAssertions.referenceDefaults(), STACK);
        assertThat(config.stateDir().getParent()).isEqualTo(Path.of("/data/stack/speed-state"));
        assertThat(config.stateDir().getFileName().toString()).startsWith("instance-" + ProcessHandle.current().pid() + "-");
    }

    @Test
    void everyKeyMaps() {
        Map<String, Object> speed = new HashMap<>();
        speed.put("lambda.speed.application-id", "speed-2");
        speed.put("lambda.speed.state-dir", "/var/lib/speed");
        speed.put("lambda.speed.stream-threads", 4);
        speed.put("lambda.speed.standby-replicas", 1);
        speed.put("lambda.speed.product-tasks", 12);
        speed.put("lambda.speed.commit-interval", "500ms");
        speed.put("lambda.speed.catch-up-commit-interval", "4s");
        speed.put("lambda.speed.catch-up-after", "20s");
        speed.put("lambda.speed.internal-replication-factor", 3);
        speed.put("lambda.speed.dedup-horizon", "12h");
        speed.put("lambda.speed.retention", "3d");
        speed.put("lambda.speed.eviction-grace", "5m");
        speed.put("lambda.speed.max-writes-in-flight", 64);
        speed.put("lambda.speed.retry-backoff", "50ms");
        speed.put("lambda.speed.max-retry-backoff", "5s");
        speed.put("lambda.speed.progress-interval", "2s");
        speed.put("lambda.speed.idle-check-interval", "3s");
        speed.put("lambda.speed.clock-skew", "2s");
        speed.put("lambda.speed.dead-letter-max-bytes", 2048);
        speed.put("lambda.speed.create-schema", false);
        speed.put("lambda.speed.http.host", "0.0.0.0");
        speed.put("lambda.speed.http.port", 9100);
        speed.put("lambda.speed.streams.producer.transaction.timeout.ms", 60000);
        speed.put("lambda.platform.mode", "kappa");
        speed.put("lambda.platform.previous-views-kept-for", "3d");
        speed.put("lambda.rules.max-duration", "2h");
        SpeedConfig expected = new SpeedConfig(SharedKeys.KAFKA_MAPPED, CassandraKeys.MAPPED, CassandraKeys.REPLICATION_FACTOR_MAPPED,
                new IngestBuckets(SharedKeys.INGEST_BUCKET_WIDTH_MAPPED), "speed-2", Path.of("/var/lib/speed"), false, 4, 1, 12,
                Duration.ofMillis(500), Duration.ofSeconds(4), Duration.ofSeconds(20), 3, Duration.ofHours(12), Duration.ofDays(3), Duration.ofMinutes(5), 64, Duration.ofMillis(50),
                Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofSeconds(2), 2048, false, "0.0.0.0", 9100,
                Map.of("producer.transaction.timeout.ms", "60000"), PlatformMode.KAPPA, new RuleSettings(Optional.of(Duration.ofHours(2))),
                Duration.ofDays(3));

        assertFullMapping(config -> SpeedConfig.from(config, STACK), List.of("lambda.kafka", "lambda.cassandra", "lambda.ingest", "lambda.speed", "lambda.platform",
                "lambda.rules"),
                SharedKeys.union(SharedKeys.KAFKA_SET, CassandraKeys.SET, SharedKeys.INGEST_SET, speed), expected);
    }

    @Test
    void buildsExactlyOnceStreamsPropertiesWithPassThroughOverridesLast() {
        SpeedConfig config = SpeedConfig.from(ConfigFactory.parseMap(Map.of(
                        "lambda.speed.streams", Map.of("producer.transaction.timeout.ms", 60000, "num.standby.replicas", 1),
                        "lambda.speed.state-dir", "/var/lib/speed"))
                .withFallback(ConfigFactory.defaultReference()).resolve(), null);

        Properties properties = SpeedTopology.streamsProperties(config);

        assertThat(properties.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo("exactly_once_v2");
        assertThat(properties.get("producer.compression.type")).isEqualTo("lz4");
        assertThat(properties.get("main.consumer.metadata.max.age.ms")).isEqualTo(30_000);
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
                .hasMessageContaining("lambda.kafka.dead-letter-topic must differ from lambda.kafka.events-topic: events");
    }

    @Test
    void rejectsARetentionUnderAMinute() {
        assertThatThrownBy(() -> SpeedConfig.from(ConfigFactory.parseMap(Map.of("lambda.speed.retention", "30s"))
                .withFallback(ConfigFactory.defaultReference()).resolve(), null))
                .hasMessageContaining("lambda.speed.retention must be at least a minute: PT30S");
    }
}
