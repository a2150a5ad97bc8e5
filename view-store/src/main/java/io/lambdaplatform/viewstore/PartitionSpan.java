package io.lambdaplatform.viewstore;

import io.lambdaplatform.model.Granularity;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * How many windows share one Cassandra partition, per granularity, so that partitions stay bounded
 * (288 to 512 rows) however long the history is, and a typical query reads one or two of them.
 */
public final class PartitionSpan {

    private PartitionSpan() {}

    public static Duration of(Granularity granularity) {
        return switch (granularity) {
            case FIVE_MINUTES -> Duration.ofDays(1);
            case ONE_HOUR -> Duration.ofDays(16);
            case ONE_DAY -> Duration.ofDays(512);
        };
    }

    /** The start of the partition that holds the window starting at {@code windowStart}. */
    public static Instant partitionStart(Granularity granularity, Instant windowStart) {
        long span = of(granularity).toMillis();
        return Instant.ofEpochMilli(Math.floorDiv(windowStart.toEpochMilli(), span) * span);
    }

    /** Every partition start that can hold a window starting in {@code [from, to)}, oldest first. */
    public static List<Instant> partitionsBetween(Granularity granularity, Instant from, Instant to) {
        List<Instant> starts = new ArrayList<>();
        if (!from.isBefore(to)) {
            return starts;
        }
        Duration span = of(granularity);
        for (Instant start = partitionStart(granularity, from); start.isBefore(to); start = start.plus(span)) {
            starts.add(start);
        }
        return starts;
    }
}
