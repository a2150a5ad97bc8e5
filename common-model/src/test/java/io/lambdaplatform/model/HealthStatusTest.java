package io.lambdaplatform.model;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class HealthStatusTest {

    @Test
    void liveIsUpWithoutChecks() {
        assertThat(HealthStatus.live().body()).containsExactly(Map.entry("status", "UP"));
    }

    @Test
    void readinessListsItsChecksByNameAfterTheStatus() {
        HealthStatus notReady = new HealthStatus(false, Map.of("kafka_streams", "REBALANCING", "cassandra", HealthStatus.state(true)));

        assertThat(notReady.body()).containsExactly(
                Map.entry("status", "DOWN"), Map.entry("cassandra", "UP"), Map.entry("kafka_streams", "REBALANCING"));
    }
}
