package io.lambdaplatform.viewstore;

import io.lambdaplatform.model.Granularity;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PartitionSpanTest {

    @Test
    void fiveMinuteWindowsArePartitionedByDay() {
        assertThat(PartitionSpan.partitionStart(Granularity.FIVE_MINUTES, Instant.parse("2026-11-24T23:55:00Z")))
                .isEqualTo(Instant.parse("2026-11-24T00:00:00Z"));
        assertThat(PartitionSpan.partitionsBetween(Granularity.FIVE_MINUTES,
                Instant.parse("2026-11-23T12:00:00Z"), Instant.parse("2026-11-25T00:00:00Z")))
                .containsExactly(Instant.parse("2026-11-23T00:00:00Z"), Instant.parse("2026-11-24T00:00:00Z"));
    }

    @Test
    void aWeekOfHoursTouchesAtMostTwoPartitions() {
        List<Instant> partitions = PartitionSpan.partitionsBetween(Granularity.ONE_HOUR,
                Instant.parse("2026-11-17T00:00:00Z"), Instant.parse("2026-11-24T00:00:00Z"));

        assertThat(partitions).hasSizeBetween(1, 2);
        assertThat(PartitionSpan.partitionsBetween(Granularity.ONE_DAY, Instant.parse("2026-01-01T00:00:00Z"),
                Instant.parse("2026-12-31T00:00:00Z"))).hasSizeBetween(1, 2);
    }

    @Test
    void anEmptyRangeHasNoPartitions() {
        Instant t = Instant.parse("2026-11-24T00:00:00Z");

        assertThat(PartitionSpan.partitionsBetween(Granularity.ONE_HOUR, t, t)).isEmpty();
    }

    @Test
    void keyspaceNamesAreChecked() {
        assertThatThrownBy(() -> ViewSchema.statements("Lambda; DROP", 1)).hasMessageContaining("must be a lower-case letter, then up to 47 lower-case letters, digits and _");
        assertThat(ViewSchema.statements("lambda", 1)).hasSize(22).first().asString().contains("'replication_factor': 1");
    }
}
