package io.lambdaplatform.viewstore;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A hand-written {@link LegacySpeedRows}: the rows an earlier release left in its table, for unit tests of the upgrade.
 * It can be told to fail after handing over some rows, as a process killed in the middle of the copy stops.
 */
public final class InMemoryLegacySpeedRows implements LegacySpeedRows {

    private final List<SpeedRow> rows = new ArrayList<>();
    private boolean exists = true;
    private int failAfter = Integer.MAX_VALUE;

    /** A keyspace that never had the earlier table. */
    public static InMemoryLegacySpeedRows absent() {
        InMemoryLegacySpeedRows legacy = new InMemoryLegacySpeedRows();
        legacy.exists = false;
        return legacy;
    }

    public synchronized InMemoryLegacySpeedRows add(SpeedRow row) {
        rows.add(row);
        return this;
    }

    /** Every later {@link #forEach} throws after handing over {@code rows} rows; {@link Integer#MAX_VALUE}: never. */
    public synchronized void failAfter(int rows) {
        this.failAfter = rows;
    }

    @Override
    public synchronized boolean exists() {
        return exists;
    }

    @Override
    public synchronized void forEach(Consumer<SpeedRow> each) {
        int handed = 0;
        for (SpeedRow row : rows) {
            if (handed == failAfter) {
                throw new ViewStoreUnavailableException("In-memory legacy rows told to fail after " + failAfter + " rows", null);
            }
            each.accept(row);
            handed++;
        }
    }
}
