package io.lambdaplatform.viewstore;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WriteLimitsTest {

    @Test
    void batchesUpTo64RowsOfOnePartitionByDefault() {
        assertThat(CassandraBatchViews.WriteLimits.DEFAULT)
                .isEqualTo(new CassandraBatchViews.WriteLimits(256, 8, Duration.ofMillis(200), 64));
    }

    @Test
    void needsAtLeastOneRowPerBatch() {
        assertThatThrownBy(() -> new CassandraBatchViews.WriteLimits(256, 8, Duration.ofMillis(200), 0))
                .hasMessageContaining("rowsPerBatch must be positive: 0");
    }
}
