package io.lambdaplatform.viewstore;

import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * The marker that the speed rows an earlier release wrote to {@link ViewSchema#SPEED_ROWS} are in the rows
 * {@link SpeedViews#read} returns: every such row with an ingest bucket at or after {@code copiedFrom} was copied
 * (see {@link SpeedRowsUpgrade}). A keyspace that never had that table gets it with {@link #NOTHING_TO_COPY}.
 *
 * @param copiedFrom  rows of earlier ingest buckets were left behind (no batch version that is still stored needs them)
 * @param rows        rows copied
 * @param completedAt when the last row was written
 */
public record LegacyRowsCopy(Instant copiedFrom, long rows, Instant completedAt) {

    /** A keyspace without the earlier table: nothing is missing, from the beginning of time. */
    public static final LegacyRowsCopy NOTHING_TO_COPY = new LegacyRowsCopy(Instant.EPOCH, 0, Instant.EPOCH);

    public LegacyRowsCopy {
        requireNonNull(copiedFrom, "copiedFrom is null");
        requireNonNull(completedAt, "completedAt is null");
        if (rows < 0) {
            throw new IllegalArgumentException("rows must not be negative: " + rows);
        }
    }
}
