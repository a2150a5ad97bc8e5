package io.lambdaplatform.batch.internal;

import io.lambdaplatform.model.EventWindow;
import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.model.ViewKey;
import io.lambdaplatform.viewstore.PartitionSpan;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ViewPartitionerTest {

    private static final Instant DAY = Instant.parse("2026-11-24T00:00:00Z");

    private final ViewPartitioner partitioner = new ViewPartitioner(8);

    @Test
    void placesEveryWindowOfOneCassandraPartitionInTheSameSparkPartition() {
        // 5-minute windows share a Cassandra partition per UTC day, hours per 16 days.
        Set<Integer> fiveMinutes = new HashSet<>();
        for (int window = 0; window < 288; window++) {
            fiveMinutes.add(partitioner.getPartition(cell("p-1", Granularity.FIVE_MINUTES, DAY.plus(Duration.ofMinutes(5L * window)))));
        }
        Set<Integer> hours = new HashSet<>();
        Instant span = PartitionSpan.partitionStart(Granularity.ONE_HOUR, DAY);
        for (int window = 0; window < 16 * 24; window++) {
            hours.add(partitioner.getPartition(cell("p-1", Granularity.ONE_HOUR, span.plus(Duration.ofHours(window)))));
        }

        assertThat(fiveMinutes).hasSize(1);
        assertThat(hours).hasSize(1);
    }

    @Test
    void spreadsCassandraPartitionsOverEverySparkPartition() {
        Set<Integer> used = new HashSet<>();
        for (int product = 0; product < 1000; product++) {
            int partition = partitioner.getPartition(cell("p-" + product, Granularity.FIVE_MINUTES, DAY));
            assertThat(partition).isBetween(0, 7);
            used.add(partition);
        }

        assertThat(used).hasSize(8);
        assertThat(partitioner.getPartition(cell("p-7", Granularity.ONE_DAY, Instant.EPOCH)))
                .isEqualTo(new ViewPartitioner(8).getPartition(cell("p-7", Granularity.ONE_DAY, Instant.EPOCH)));
    }

    @Test
    void needsAtLeastOnePartition() {
        assertThatThrownBy(() -> new ViewPartitioner(0)).hasMessageContaining("partitions must be positive: 0");
    }

    private static ViewCell cell(String product, Granularity granularity, Instant start) {
        return ViewCell.of(new ViewKey(product, new EventWindow(granularity, start)));
    }
}
