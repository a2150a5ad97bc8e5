package io.lambdaplatform.viewstore;

import io.lambdaplatform.model.EventRules;
import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.model.Metrics;
import io.lambdaplatform.model.Sketches;
import io.lambdaplatform.model.ViewKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * One stored speed row: what the events of ONE source partition of the events topic contribute to one
 * (product, 5-minute window, ingest bucket), or a correction that takes back one copy of an event that
 * was counted before an earlier copy of it arrived. Only one stream task ever writes the rows of a source
 * partition, and it folds that partition's records in offset order, so a row is ordered by
 * {@code version} (the source offset of the last record folded into it, plus one): a write with a lower
 * version than the stored one (a paused instance's late flush) never replaces it.
 *
 * <p>Readers never see rows: {@link #sum} adds the rows and corrections of each (window, ingest bucket)
 * into the {@link SpeedDelta} the serving merge works with.
 *
 * @param sourcePartition the events partition whose records the row holds (for a correction: of the copy taken back)
 * @param correction      empty for an aggregate row; for a correction the id of the copy that replaced the
 *                        counted one, {@code "partition@offset"}
 * @param eventCount      negative in a correction
 * @param revenue         negative of the taken-back revenue in a correction
 * @param durationSumMs   negative in a correction
 * @param version         the write's order among the writes of the same row; written as the Cassandra timestamp
 * @param sketches        the distinct users and durations of an aggregate row; {@code null} in a correction (a sketch
 *                        cannot take an event back) and in rows of a release that did not keep them
 */
public record SpeedRow(
        ViewKey key,
        Instant ingestBucket,
        int sourcePartition,
        String correction,
        long eventCount,
        BigDecimal revenue,
        BigInteger durationSumMs,
        long version,
        Sketches sketches) {

    private static final Logger LOG = LoggerFactory.getLogger(SpeedRow.class);

    public SpeedRow {
        requireNonNull(key, "key is null");
        requireNonNull(ingestBucket, "ingestBucket is null");
        requireNonNull(correction, "correction is null");
        requireNonNull(revenue, "revenue is null");
        requireNonNull(durationSumMs, "durationSumMs is null");
        if (key.window().granularity() != Granularity.FIVE_MINUTES) {
            throw new IllegalArgumentException("Speed rows are kept at 5m, not " + key.window().granularity());
        }
        if (sourcePartition < 0) {
            throw new IllegalArgumentException("sourcePartition must not be negative: " + sourcePartition);
        }
        if (version < 1) {
            throw new IllegalArgumentException("version must be positive: " + version);
        }
        revenue = revenue.setScale(EventRules.REVENUE_SCALE, RoundingMode.UNNECESSARY);
        boolean isCorrection = !correction.isEmpty();
        if (isCorrection ? eventCount >= 0 || durationSumMs.signum() > 0 : eventCount <= 0 || durationSumMs.signum() < 0) {
            throw new IllegalArgumentException((isCorrection ? "A correction takes events back" : "A row adds events")
                    + ": count " + eventCount + ", duration " + durationSumMs);
        }
        if (isCorrection && sketches != null) {
            throw new IllegalArgumentException("A correction has no sketches: a sketch cannot take an event back");
        }
    }

    /** A row without sketches, as a release that did not keep them wrote it. */
    public SpeedRow(ViewKey key, Instant ingestBucket, int sourcePartition, String correction, long eventCount, BigDecimal revenue,
            BigInteger durationSumMs, long version) {
        this(key, ingestBucket, sourcePartition, correction, eventCount, revenue, durationSumMs, version, null);
    }

    /** The aggregate row of one source partition, holding {@code metrics}, last written for the record at {@code lastOffset}. */
    public static SpeedRow aggregate(ViewKey key, Instant ingestBucket, int sourcePartition, Metrics metrics, long lastOffset) {
        return new SpeedRow(key, ingestBucket, sourcePartition, "", metrics.eventCount(), metrics.revenue(),
                metrics.durationSumMs(), lastOffset + 1, metrics.sketches());
    }

    /**
     * Takes back {@code counted}, a copy of source partition {@code sourcePartition} counted in this row's
     * (window, bucket), because the copy {@code replacedBy} ("partition@offset") comes first. Only the exact measures
     * are taken back: the row's sketches keep the copy (a copy of an event names the same user, so the distinct users
     * are unchanged; the durations hold it once more until the batch layer covers the window).
     */
    public static SpeedRow correction(ViewKey key, Instant ingestBucket, int sourcePartition, Metrics counted,
            int replacedByPartition, long replacedByOffset) {
        return new SpeedRow(key, ingestBucket, sourcePartition, replacedByPartition + "@" + replacedByOffset, -counted.eventCount(),
                counted.revenue().negate(), counted.durationSumMs().negate(), replacedByOffset + 1);
    }

    /** A whole (window, bucket) aggregate as the one row of source partition 0: for fixtures and benchmarks that write views directly. */
    public static SpeedRow of(SpeedDelta delta) {
        return aggregate(delta.key(), delta.ingestBucket(), 0, delta.metrics(), 0);
    }

    public boolean isCorrection() {
        return !correction.isEmpty();
    }

    /**
     * The rows and corrections of each (product, window, ingest bucket) added up, ordered by product,
     * window and bucket, the sketches of its aggregate rows merged (unknown if one row's are). A sum that is not a valid aggregate (a row expired before its correction) is
     * left out and logged: the span is older than the speed retention, which coverage reports anyway.
     */
    public static List<SpeedDelta> sum(Collection<SpeedRow> rows) {
        Map<Cell, Sum> sums = new TreeMap<>(Comparator.comparing((Cell c) -> c.key().productId())
                .thenComparing(c -> c.key().window().start()).thenComparing(Cell::bucket));
        for (SpeedRow row : rows) {
            sums.computeIfAbsent(new Cell(row.key(), row.ingestBucket()), c -> new Sum()).add(row);
        }
        List<SpeedDelta> deltas = new ArrayList<>(sums.size());
        for (Map.Entry<Cell, Sum> entry : sums.entrySet()) {
            Cell cell = entry.getKey();
            Sum sum = entry.getValue();
            if (sum.count == 0 && sum.revenue.signum() == 0 && sum.duration.signum() == 0) {
                continue;
            }
            if (sum.count <= 0 || sum.duration.signum() < 0) {
                LOG.warn("Speed rows of {} in ingest bucket {} add up to count {} and duration {}: a row expired before its "
                        + "correction; left out", cell.key(), cell.bucket(), sum.count, sum.duration);
                continue;
            }
            deltas.add(new SpeedDelta(cell.key(), cell.bucket(), new Metrics(sum.count, sum.revenue, sum.duration,
                    sum.sketchesKnown ? Sketches.mergeAll(sum.sketches) : null)));
        }
        return deltas;
    }

    private record Cell(ViewKey key, Instant bucket) {}

    private static final class Sum {
        private long count;
        private BigDecimal revenue = BigDecimal.ZERO;
        private BigInteger duration = BigInteger.ZERO;
        private final List<Sketches> sketches = new ArrayList<>(1);
        private boolean sketchesKnown = true;

        void add(SpeedRow row) {
            count = Math.addExact(count, row.eventCount());
            revenue = revenue.add(row.revenue());
            duration = duration.add(row.durationSumMs());
            if (!row.isCorrection()) {
                if (row.sketches() == null) {
                    sketchesKnown = false;
                }
                else {
                    sketches.add(row.sketches());
                }
            }
        }
    }
}
