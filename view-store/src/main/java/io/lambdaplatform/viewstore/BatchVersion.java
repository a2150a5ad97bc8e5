package io.lambdaplatform.viewstore;

import java.time.Instant;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * One immutable version of the batch views.
 *
 * @param version     increasing number, allocated once
 * @param cutoff      the views cover exactly the events with ingest time before this instant
 * @param computedAt  when the run that wrote it started
 * @param publishedAt when it became readable; {@code null} while it is being written
 * @param viewRows    rows written, over all granularities
 * @param eventCount  valid, de-duplicated events it covers
 */
public record BatchVersion(
        long version,
        Instant cutoff,
        Instant computedAt,
        Instant publishedAt,
        long viewRows,
        long eventCount) {

    public BatchVersion {
        if (version < 1) {
            throw new IllegalArgumentException("version must be positive: " + version);
        }
        requireNonNull(cutoff, "cutoff is null");
        requireNonNull(computedAt, "computedAt is null");
        if (viewRows < 0 || eventCount < 0) {
            throw new IllegalArgumentException("counts must not be negative: " + viewRows + ", " + eventCount);
        }
    }

    /** A version that is being written: not readable yet. */
    public static BatchVersion writing(long version, Instant cutoff, Instant computedAt) {
        return new BatchVersion(version, cutoff, computedAt, null, 0, 0);
    }

    public boolean isPublished() {
        return publishedAt != null;
    }

    public Optional<Instant> published() {
        return Optional.ofNullable(publishedAt);
    }

    public BatchVersion withPublished(Instant newPublishedAt, long newViewRows, long newEventCount) {
        return new BatchVersion(version, cutoff, computedAt, newPublishedAt, newViewRows, newEventCount);
    }
}
