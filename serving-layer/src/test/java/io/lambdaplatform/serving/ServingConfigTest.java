package io.lambdaplatform.serving;

import io.lambdaplatform.model.IngestBuckets;
import io.lambdaplatform.model.config.ConfigMappingAssertions;
import io.lambdaplatform.model.config.SharedKeys;
import io.lambdaplatform.model.config.PlatformMode;
import io.lambdaplatform.viewstore.CassandraKeys;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.lambdaplatform.model.config.ConfigMappingAssertions.assertFullMapping;
import static io.lambdaplatform.model.config.ConfigMappingAssertions.assertRecordedDefaults;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServingConfigTest {

    @Test
    void defaults() {
        assertRecordedDefaults(ServingConfig::from, new ServingConfig("127.0.0.1", 8080, null, 10_000, Duration.ofSeconds(5),
                Duration.ofSeconds(1), Duration.ofSeconds(30), true, CassandraKeys.REPLICATION_FACTOR_DEFAULT, 100, Duration.ofSeconds(5),
                new ServingConfig.Reads(256L << 20, 4, 32, Duration.ofMillis(500), 64L << 20, 64L << 20, IngestBuckets.DEFAULT), CassandraKeys.DEFAULTS, PlatformMode.LAMBDA));
    }

    @Test
    void everyKeyMaps() {
        Map<String, Object> serving = new HashMap<>();
        serving.put("lambda.serving.host", "0.0.0.0");
        serving.put("lambda.serving.port", 9090);
        serving.put("lambda.serving.auth-token", "t0ken");
        serving.put("lambda.serving.max-windows", 500);
        serving.put("lambda.serving.retry-after", "7s");
        serving.put("lambda.serving.reconnect.min-backoff", "2s");
        serving.put("lambda.serving.reconnect.max-backoff", "1m");
        serving.put("lambda.serving.create-schema", false);
        serving.put("lambda.serving.max-suggestions", 20);
        serving.put("lambda.serving.dashboard.refresh-interval", "10s");
        serving.put("lambda.serving.batch-cache.max-bytes", "1m");
        serving.put("lambda.serving.reads.per-request", 2);
        serving.put("lambda.serving.reads.per-service", 8);
        serving.put("lambda.serving.reads.state-max-age", "250ms");
        serving.put("lambda.serving.answer-cache.max-bytes", "2m");
        serving.put("lambda.serving.speed-cache.max-bytes", "3m");
        serving.put("lambda.ingest.bucket-width", "30s");
        serving.put("lambda.platform.mode", "kappa");

        assertFullMapping(ServingConfig::from, List.of("lambda.cassandra", "lambda.serving"), SharedKeys.union(CassandraKeys.SET, serving),
                new ServingConfig("0.0.0.0", 9090, "t0ken", 500, Duration.ofSeconds(7), Duration.ofSeconds(2), Duration.ofMinutes(1), false,
                        CassandraKeys.REPLICATION_FACTOR_MAPPED, 20, Duration.ofSeconds(10),
                        new ServingConfig.Reads(1_048_576, 2, 8, Duration.ofMillis(250), 2_097_152, 3_145_728, new IngestBuckets(Duration.ofSeconds(30))), CassandraKeys.MAPPED, PlatformMode.KAPPA));
    }

    @Test
    void validatesNamingTheKey() {
        assertThatThrownBy(() -> ServingConfig.from(ConfigMappingAssertions.withDefaults(Map.of("lambda.serving.port", 70_000))))
                .hasMessage("lambda.serving.port must be 0..65535: 70000");
        assertThatThrownBy(() -> ServingConfig.from(ConfigMappingAssertions.withDefaults(Map.of("lambda.serving.retry-after", "0s"))))
                .hasMessage("lambda.serving.retry-after must be positive: PT0S");
        assertThatThrownBy(() -> ServingConfig.from(ConfigMappingAssertions.withDefaults(Map.of("lambda.serving.reconnect.max-backoff", "500ms"))))
                .hasMessageContaining("lambda.serving.reconnect.max-backoff PT0.5S is shorter than min-backoff PT1S");
        assertThatThrownBy(() -> ServingConfig.from(ConfigMappingAssertions.withDefaults(Map.of("lambda.serving.batch-cache.max-bytes", -1))))
                .hasMessageContaining("batch-cache.max-bytes").hasMessageContaining("negative");
        assertThatThrownBy(() -> ServingConfig.from(ConfigMappingAssertions.withDefaults(Map.of("lambda.serving.reads.per-request", 0))))
                .hasMessage("lambda.serving.reads.per-request must be at least 1: 0");
        assertThatThrownBy(() -> ServingConfig.from(ConfigMappingAssertions.withDefaults(Map.of("lambda.serving.reads.per-service", 3))))
                .hasMessage("lambda.serving.reads.per-service 3 is below per-request 4");
        assertThatThrownBy(() -> ServingConfig.from(ConfigMappingAssertions.withDefaults(Map.of("lambda.serving.reads.state-max-age", "-1s"))))
                .hasMessage("lambda.serving.reads.state-max-age must not be negative: PT-1S");
    }

    @Test
    void neverShowsTheToken() {
        ServingConfig config = ServingConfig.from(ConfigMappingAssertions.withDefaults(Map.of("lambda.serving.auth-token", "t0ken")));

        assertThat(config.toString()).contains("authToken=****").doesNotContain("t0ken");
    }
}
