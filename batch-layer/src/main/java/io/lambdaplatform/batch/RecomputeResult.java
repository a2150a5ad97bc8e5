package io.lambdaplatform.batch;

import io.lambdaplatform.viewstore.BatchBuild;
import io.lambdaplatform.viewstore.BatchVersion;

import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * What one recompute did.
 *
 * @param version            the version it published
 * @param recordsRead        master-dataset records with ingest time below the cutoff
 * @param rejectedByReason   invalid records by {@link io.lambdaplatform.model.RejectionReason#code()}, sorted by code
 * @param duplicatesDropped  valid copies of an event after its first
 * @param eventsCounted      valid, distinct events in the views
 * @param viewRows           rows of the version at all three granularities
 * @param rowsWritten        rows this run wrote: every row for a full recompute, the rows of the partitions the new
 *                           records touch for an incremental one (the others are shared with the base version)
 * @param removedVersions    old versions removed after publication
 * @param duration           wall time of the stage
 * @param aggregateDuration  wall time from reading the master dataset to the computed view rows, before any is written
 * @param writeDuration      wall time of writing the rows to the store (before the pointer flip)
 * @param rulesVersion       the {@link io.lambdaplatform.model.EventRules#VERSION} the records were judged with
 * @param decodedRanges      ranges whose raw records were decoded again, because they were archived before records
 *                           were judged on archiving or judged with other rules; the others' judged columns were read
 * @param build              how the version was computed: in full, or incrementally from the live version (then
 *                           {@code recordsRead}, {@code rejectedByReason} and {@code duplicatesDropped} are of the new
 *                           records only, {@code eventsCounted} and {@code viewRows} of the whole version)
 * @param fullReason         why it was computed in full; empty for an incremental run
 */
public record RecomputeResult(
        BatchVersion version,
        long recordsRead,
        Map<String, Long> rejectedByReason,
        long duplicatesDropped,
        long eventsCounted,
        long viewRows,
        long rowsWritten,
        int removedVersions,
        Duration duration,
        Duration aggregateDuration,
        Duration writeDuration,
        int rulesVersion,
        int decodedRanges,
        BatchBuild build,
        Optional<String> fullReason) {

    public RecomputeResult {
        requireNonNull(version, "version is null");
        rejectedByReason = Collections.unmodifiableSortedMap(new TreeMap<>(requireNonNull(rejectedByReason, "rejectedByReason is null")));
        requireNonNull(duration, "duration is null");
        requireNonNull(aggregateDuration, "aggregateDuration is null");
        requireNonNull(writeDuration, "writeDuration is null");
        requireNonNull(build, "build is null");
        requireNonNull(fullReason, "fullReason is null");
    }

    /** {@link #rowsWritten} per second of {@link #writeDuration}. */
    public long writeRowsPerSecond() {
        return writeDuration.isZero() ? rowsWritten : Math.round(rowsWritten * 1e9 / writeDuration.toNanos());
    }

    public long rejected() {
        return rejectedByReason.values().stream().mapToLong(Long::longValue).sum();
    }
}
