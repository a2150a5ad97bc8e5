package io.lambdaplatform.viewstore;

import java.time.Duration;
import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * How far the speed layer has got on one partition of the events topic.
 *
 * @param partition    the Kafka partition
 * @param watermark    every record of the partition with ingest time before this is in the speed views
 * @param coveredSince the speed views hold every record of the partition from this ingest time on
 *                     (rows older than {@code retention} may have expired since)
 * @param retention    how long speed rows live after their last write
 * @param updatedAt    when the speed layer wrote this
 * @param logBegins    the partition never held a record ingested before this: the ingest time of its first record
 *                     (offset 0), or when the speed layer found it empty; {@link Instant#EPOCH} when unknown (the
 *                     speed layer did not read the partition from its first record)
 */
public record SpeedProgress(int partition, Instant watermark, Instant coveredSince, Duration retention, Instant updatedAt,
        Instant logBegins) {

    public SpeedProgress {
        if (partition < 0) {
            throw new IllegalArgumentException("partition must not be negative: " + partition);
        }
        requireNonNull(watermark, "watermark is null");
        requireNonNull(coveredSince, "coveredSince is null");
        requireNonNull(retention, "retention is null");
        requireNonNull(updatedAt, "updatedAt is null");
        requireNonNull(logBegins, "logBegins is null");
    }

    /**
     * A partition the speed layer knows of but some task has not heard from yet: none of its ingest times is covered
     * ({@link SpeedTaskProgress#notYet}).
     */
    public static SpeedProgress notYet(int partition, Duration retention, Instant updatedAt) {
        return new SpeedProgress(partition, SpeedTaskProgress.NOT_YET, Instant.EPOCH, retention, updatedAt, Instant.EPOCH);
    }

    /** True for a partition some task has not heard from yet ({@link #notYet}). */
    public boolean isNotYet() {
        return watermark.equals(SpeedTaskProgress.NOT_YET);
    }

    /** Progress of a partition whose log start is unknown. */
    public SpeedProgress(int partition, Instant watermark, Instant coveredSince, Duration retention, Instant updatedAt) {
        this(partition, watermark, coveredSince, retention, updatedAt, Instant.EPOCH);
    }
}
