package io.lambdaplatform.viewstore;

import java.util.function.Consumer;

/**
 * The speed rows an earlier release wrote to {@link ViewSchema#SPEED_ROWS} (partitioned by event-time day), which
 * this release neither writes nor reads: they are read once, to copy them ({@link SpeedRowsUpgrade}).
 */
public interface LegacySpeedRows {

    /** Whether the keyspace has the earlier release's table; a keyspace this release created has not. */
    boolean exists();

    /**
     * Hands every stored row (with its version) to {@code each}, page by page, in no particular order. Throws
     * {@link ViewStoreException} when a read fails; the rows handed over until then stay handed over.
     */
    void forEach(Consumer<SpeedRow> each);
}
