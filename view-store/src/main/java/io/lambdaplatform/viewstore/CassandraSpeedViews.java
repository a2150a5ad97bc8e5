package io.lambdaplatform.viewstore;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchableStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.Statement;
import com.datastax.oss.driver.api.core.type.codec.TypeCodecs;
import io.lambdaplatform.model.EventWindow;
import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.model.RejectionReason;
import io.lambdaplatform.model.ViewKey;
import io.lambdaplatform.viewstore.internal.DriverCalls;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import static io.lambdaplatform.viewstore.ViewSchema.SPEED_DEAD_LETTER_TOTALS;
import static io.lambdaplatform.viewstore.ViewSchema.SPEED_HOLES;
import static io.lambdaplatform.viewstore.ViewSchema.SPEED_PRODUCTS;
import static io.lambdaplatform.viewstore.ViewSchema.SPEED_PRODUCT_NAMES;
import static io.lambdaplatform.viewstore.ViewSchema.SPEED_INGEST_DAYS;
import static io.lambdaplatform.viewstore.ViewSchema.SPEED_ROWS_BY_INGEST;
import static io.lambdaplatform.viewstore.ViewSchema.SPEED_WATERMARKS;
import static io.lambdaplatform.viewstore.ViewSchema.VIEW_UPGRADES;
import static java.util.Objects.requireNonNull;

/**
 * {@link SpeedViews} in Cassandra. Rows are written with a TTL of {@code retention}, so they live at
 * least that long after their last change (without one for {@link SpeedViews#KEPT_FOREVER}, in Kappa mode); a partition holds the rows of one product ingested on one (UTC) day,
 * clustered by ingest bucket, so that a read of the rows at or after a batch cutoff starts at the cutoff. Which
 * ingest days of a product hold rows is kept in {@link ViewSchema#SPEED_INGEST_DAYS}, written before a row's write
 * completes and with a TTL that outlives the row.
 *
 * <p>Every write that replaces a value carries its order as the cell timestamp ({@code USING TIMESTAMP}):
 * a row its version (source offset + 1), a watermark its instant in microseconds, a dead-letter total
 * its source offset + 1. Cassandra keeps the cell with the highest timestamp whichever write lands last,
 * so a stale writer (an instance paused past its session timeout, whose partition moved on) can neither
 * shorten a row nor move a watermark back.
 */
public final class CassandraSpeedViews implements SpeedViews {

    private static final String SCOPE = "events";
    private static final String LAYER = "speed";
    private static final int MAX_PRODUCTS_LISTED = 10_000;
    private static final Duration INGEST_DAY = Duration.ofDays(1);
    /** Up to this many ingest days a bounded read reads them all, empty or not, rather than list the product's days first. */
    private static final int DAYS_READ_UNLISTED = 2;
    /** An ingest day's index entry is written again this often while rows of that day are written, and lives this much longer than they do. */
    private static final Duration INDEX_REFRESH = Duration.ofHours(1);
    /** About 100 bytes a row: a batch stays near Cassandra's {@code batch_size_warn_threshold} (5 KiB), far below the fail threshold. */
    private static final int MAX_ROWS_PER_BATCH = 50;

    private final CqlSession session;
    private final Duration retention;
    private final PreparedStatement insertRow;
    private final PreparedStatement selectRows;
    private final PreparedStatement insertIngestDay;
    private final PreparedStatement selectIngestDays;
    /** The last index write per (product, ingest day) of this instance, so that a day is indexed once per refresh, not per row. */
    private final ConcurrentMap<IndexedDay, IndexWrite> indexed = new ConcurrentHashMap<>();
    private final PreparedStatement upsertProduct;
    private final PreparedStatement selectProducts;
    private final PreparedStatement upsertProductName;
    private final PreparedStatement selectProductsByPrefix;
    private final PreparedStatement insertWatermark;
    private final PreparedStatement selectWatermarks;
    private final PreparedStatement insertHole;
    private final PreparedStatement selectHoles;
    private final PreparedStatement insertDeadLetters;
    private final PreparedStatement selectDeadLetters;
    private final PreparedStatement insertUpgrade;
    private final PreparedStatement selectUpgrade;
    /** The marker once read: it is never removed, so it is read until it exists and then never again. */
    private volatile LegacyRowsCopy legacyRowsCopy;

    public CassandraSpeedViews(CqlSession session, String keyspace) {
        this(session, keyspace, ViewSchema.DEFAULT_SPEED_RETENTION);
    }

    public CassandraSpeedViews(CqlSession session, String keyspace, Duration retention) {
        this.session = requireNonNull(session, "session is null");
        this.retention = requireNonNull(retention, "retention is null");
        if (retention.toSeconds() < 60) {
            throw new IllegalArgumentException("Speed retention must be at least a minute: " + retention);
        }
        String k = requireNonNull(keyspace, "keyspace is null") + ".";
        this.insertRow = session.prepare("INSERT INTO " + k + SPEED_ROWS_BY_INGEST
                + " (product_id, ingest_day, ingest_bucket, window_start, source_partition, correction, event_count, revenue, duration_sum_ms, "
                + SketchColumns.NAMES + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TTL ? AND TIMESTAMP ?");
        this.selectRows = session.prepare("SELECT window_start, ingest_bucket, source_partition, correction, event_count, revenue, "
                + "duration_sum_ms, " + SketchColumns.NAMES + ", WRITETIME(event_count) AS version FROM " + k + SPEED_ROWS_BY_INGEST
                + " WHERE product_id = ? AND ingest_day = ? AND ingest_bucket >= ?");
        this.insertIngestDay = session.prepare("INSERT INTO " + k + SPEED_INGEST_DAYS + " (product_id, ingest_day) VALUES (?, ?) USING TTL ?");
        this.selectIngestDays = session.prepare("SELECT ingest_day FROM " + k + SPEED_INGEST_DAYS + " WHERE product_id = ? AND ingest_day >= ?");
        this.upsertProduct = session.prepare("INSERT INTO " + k + SPEED_PRODUCTS + " (product_id) VALUES (?) USING TTL ?");
        this.selectProducts = session.prepare("SELECT product_id FROM " + k + SPEED_PRODUCTS + " LIMIT " + MAX_PRODUCTS_LISTED);
        this.upsertProductName = session.prepare("INSERT INTO " + k + SPEED_PRODUCT_NAMES + " (scope, product_id) VALUES (?, ?) USING TTL ?");
        this.selectProductsByPrefix = session.prepare("SELECT product_id FROM " + k + SPEED_PRODUCT_NAMES
                + " WHERE scope = ? AND product_id >= ? AND product_id < ? LIMIT ?");
        this.insertWatermark = session.prepare("INSERT INTO " + k + SPEED_WATERMARKS
                + " (scope, source_partition, task, task_count, watermark, covered_since, retention_seconds, updated_at, "
                + ViewSchema.LOG_BEGINS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?");
        this.selectWatermarks = session.prepare("SELECT source_partition, task, task_count, watermark, covered_since, retention_seconds, "
                + "updated_at, " + ViewSchema.LOG_BEGINS + " FROM " + k + SPEED_WATERMARKS + " WHERE scope = ?");
        this.insertHole = session.prepare("INSERT INTO " + k + SPEED_HOLES
                + " (scope, partition, from_offset, to_offset, from_ingest, to_ingest) VALUES (?, ?, ?, ?, ?, ?)");
        this.selectHoles = session.prepare("SELECT partition, from_offset, to_offset, from_ingest, to_ingest FROM " + k + SPEED_HOLES
                + " WHERE scope = ?");
        this.insertDeadLetters = session.prepare("INSERT INTO " + k + SPEED_DEAD_LETTER_TOTALS
                + " (scope, partition, reason, count) VALUES (?, ?, ?, ?) USING TIMESTAMP ?");
        this.selectDeadLetters = session.prepare("SELECT partition, reason, count FROM " + k + SPEED_DEAD_LETTER_TOTALS + " WHERE scope = ?");
        this.insertUpgrade = session.prepare("INSERT INTO " + k + VIEW_UPGRADES
                + " (name, copied_from, rows_copied, completed_at) VALUES (?, ?, ?, ?)");
        this.selectUpgrade = session.prepare("SELECT copied_from, rows_copied, completed_at FROM " + k + VIEW_UPGRADES + " WHERE name = ?");
    }

    @Override
    public CompletionStage<Void> write(SpeedRow row) {
        ViewKey key = row.key();
        Instant day = ingestDay(row.ingestBucket());
        CompletableFuture<Void> indexedDay = index(key.productId(), day);
        CompletableFuture<Void> written = DriverCalls.executeAsync(session, bindRow(day, row).setIdempotent(true),
                "write speed row of " + key.productId()).toCompletableFuture();
        // A row counts as written once a reader can find its day.
        return CompletableFuture.allOf(indexedDay, written);
    }

    /**
     * One unlogged batch per (product, ingest day), a partition of {@code speed_rows_by_ingest}, of at most
     * {@value #MAX_ROWS_PER_BATCH} rows: Cassandra applies a single-partition batch as one mutation. Each row
     * keeps its own {@code USING TIMESTAMP} (its version), so the batch orders writes exactly as single writes do.
     */
    @Override
    public CompletionStage<Void> write(List<SpeedRow> rows) {
        Map<Instant, List<BatchableStatement<?>>> byDay = new TreeMap<>();
        String productId = null;
        for (SpeedRow row : rows) {
            ViewKey key = row.key();
            if (productId == null) {
                productId = key.productId();
            }
            else if (!productId.equals(key.productId())) {
                throw new IllegalArgumentException("Rows of one product expected, got " + productId + " and " + key.productId());
            }
            Instant day = ingestDay(row.ingestBucket());
            byDay.computeIfAbsent(day, ignored -> new ArrayList<>()).add(bindRow(day, row));
        }
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (Map.Entry<Instant, List<BatchableStatement<?>>> day : byDay.entrySet()) {
            writes.add(index(productId, day.getKey()));
            List<BatchableStatement<?>> statements = day.getValue();
            for (int from = 0; from < statements.size(); from += MAX_ROWS_PER_BATCH) {
                List<BatchableStatement<?>> chunk = statements.subList(from, Math.min(statements.size(), from + MAX_ROWS_PER_BATCH));
                Statement<?> statement = chunk.size() == 1
                        ? chunk.get(0).setIdempotent(true)
                        : BatchStatement.newInstance(DefaultBatchType.UNLOGGED, chunk).setIdempotent(true);
                writes.add(DriverCalls.executeAsync(session, statement, "write " + chunk.size() + " speed rows of " + productId)
                        .toCompletableFuture());
            }
        }
        // A row counts as written once a reader can find its day.
        return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
    }

    /**
     * The row's insert, each value set with its column's codec, in the order of {@code insertRow}'s placeholders:
     * {@code bind(Object...)} looks a codec up in the registry for every value from the value's class, which was a fifth
     * of the cost of a speed-layer commit.
     */
    private BoundStatement bindRow(Instant day, SpeedRow row) {
        ViewKey key = row.key();
        return insertRow.boundStatementBuilder()
                .set(0, key.productId(), TypeCodecs.TEXT)
                .set(1, day, TypeCodecs.TIMESTAMP)
                .set(2, row.ingestBucket(), TypeCodecs.TIMESTAMP)
                .set(3, key.window().start(), TypeCodecs.TIMESTAMP)
                .set(4, row.sourcePartition(), TypeCodecs.INT)
                .set(5, row.correction(), TypeCodecs.TEXT)
                .set(6, row.eventCount(), TypeCodecs.BIGINT)
                .set(7, row.revenue(), TypeCodecs.DECIMAL)
                .set(8, row.durationSumMs(), TypeCodecs.VARINT)
                .set(9, SketchColumns.users(row.sketches()), TypeCodecs.BLOB)
                .set(10, SketchColumns.durations(row.sketches()), TypeCodecs.BLOB)
                .set(11, ttlSeconds(), TypeCodecs.INT)
                .set(12, row.version(), TypeCodecs.BIGINT)
                .build();
    }

    /** The latest index write of (product, day), or a new one when there is none of the last {@link #INDEX_REFRESH} that did not fail. */
    private CompletableFuture<Void> index(String productId, Instant day) {
        long now = System.nanoTime();
        IndexWrite write = indexed.compute(new IndexedDay(productId, day.toEpochMilli()), (ignored, last) ->
                last != null && now - last.startedNanos() < INDEX_REFRESH.toNanos() && !last.write().isCompletedExceptionally()
                        ? last
                        : new IndexWrite(DriverCalls.executeAsync(session, insertIngestDay.bind(productId, day,
                                ttlSeconds() == 0 ? 0 : ttlSeconds() + (int) (2 * INDEX_REFRESH.toSeconds())).setIdempotent(true),
                                "index ingest day " + day + " of " + productId).toCompletableFuture(), now));
        if (indexed.size() > 100_000) {
            indexed.values().removeIf(entry -> now - entry.startedNanos() >= INDEX_REFRESH.toNanos());
        }
        return write.write();
    }

    private record IndexedDay(String productId, long dayMillis) {}

    private record IndexWrite(CompletableFuture<Void> write, long startedNanos) {}

    private static Instant ingestDay(Instant ingestBucket) {
        long span = INGEST_DAY.toMillis();
        return Instant.ofEpochMilli(Math.floorDiv(ingestBucket.toEpochMilli(), span) * span);
    }

    @Override
    public List<SpeedDelta> read(String productId, Instant from, Instant to, Instant ingestFrom) {
        return SpeedRow.sum(readRows(productId, from, to, ingestFrom));
    }

    /** The stored rows and corrections themselves, for tests and diagnosis. */
    public List<SpeedRow> readRows(String productId, Instant from, Instant to) {
        return readRows(productId, from, to, Instant.EPOCH);
    }

    /**
     * Reads the ingest days from {@code ingestFrom}'s to {@code ingestUntil}'s without listing the product's days first when
     * they are at most {@value #DAYS_READ_UNLISTED}: one query instead of two for an answer whose batch cutoff is recent.
     */
    @Override
    public List<SpeedDelta> read(String productId, Instant from, Instant to, Instant ingestFrom, Instant ingestUntil) {
        Instant first = ingestDay(ingestFrom);
        Instant last = ingestDay(ingestUntil);
        if (last.isBefore(first) || Duration.between(first, last).compareTo(INGEST_DAY.multipliedBy(DAYS_READ_UNLISTED - 1)) > 0) {
            return read(productId, from, to, ingestFrom);
        }
        List<Instant> days = new ArrayList<>(DAYS_READ_UNLISTED);
        for (Instant day = first; !day.isAfter(last); day = day.plus(INGEST_DAY)) {
            days.add(day);
        }
        return SpeedRow.sum(readRows(productId, from, to, ingestFrom, days));
    }

    private List<SpeedRow> readRows(String productId, Instant from, Instant to, Instant ingestFrom) {
        List<Instant> days = DriverCalls.query(session, selectIngestDays.bind(productId, ingestDay(ingestFrom)),
                "list ingest days of " + productId, row -> row.getInstant("ingest_day"));
        return readRows(productId, from, to, ingestFrom, days);
    }

    private List<SpeedRow> readRows(String productId, Instant from, Instant to, Instant ingestFrom, List<Instant> days) {
        // One partition after the other, each in pages: one query in flight per read, and only the rows of the range kept.
        List<SpeedRow> rows = new ArrayList<>();
        for (Instant day : days) {
            for (SpeedRow row : DriverCalls.query(session, selectRows.bind(productId, day, ingestFrom), "read speed rows of " + productId,
                    row -> speedRow(productId, row))) {
                Instant window = row.key().window().start();
                if (!window.isBefore(from) && window.isBefore(to)) {
                    rows.add(row);
                }
            }
        }
        return rows;
    }

    /** A row of a speed-row table: its window, ingest bucket, source partition, correction, values and {@code version}. */
    static SpeedRow speedRow(String productId, Row row) {
        return new SpeedRow(
                new ViewKey(productId, new EventWindow(Granularity.FIVE_MINUTES, row.getInstant("window_start"))),
                row.getInstant("ingest_bucket"),
                row.getInt("source_partition"),
                row.getString("correction"),
                row.getLong("event_count"),
                row.getBigDecimal("revenue"),
                requireNonNull(row.get("duration_sum_ms", BigInteger.class), "duration_sum_ms is null"),
                row.getLong("version"),
                SketchColumns.read(row));
    }

    @Override
    public CompletionStage<Void> recordProduct(String productId) {
        return CompletableFuture.allOf(
                DriverCalls.executeAsync(session, upsertProduct.bind(productId, ttlSeconds()).setIdempotent(true),
                        "record product " + productId).toCompletableFuture(),
                DriverCalls.executeAsync(session, upsertProductName.bind(SCOPE, productId, ttlSeconds()).setIdempotent(true),
                        "record product name " + productId).toCompletableFuture());
    }

    @Override
    public Set<String> products() {
        return new TreeSet<>(DriverCalls.query(session, selectProducts.bind(), "list speed products", row -> row.getString("product_id")));
    }

    @Override
    public List<String> products(String prefix, int limit) {
        // Product ids are ASCII (the event contract), so every id with the prefix sorts below prefix + U+FFFF.
        return DriverCalls.query(session, selectProductsByPrefix.bind(SCOPE, prefix, prefix + '\uffff', limit),
                "list speed products starting with " + prefix, row -> row.getString("product_id"));
    }

    @Override
    public void saveProgress(SpeedTaskProgress progress) {
        DriverCalls.execute(session, insertWatermark.bind(SCOPE, progress.sourcePartition(), progress.task(), progress.taskCount(),
                progress.watermark(), progress.coveredSince(), progress.retention().toSeconds(), progress.updatedAt(),
                progress.logBegins(), watermarkTimestamp(progress.watermark())).setIdempotent(true),
                "save speed progress of partition " + progress.sourcePartition() + " task " + progress.task());
    }

    @Override
    public List<SpeedTaskProgress> taskProgress() {
        return DriverCalls.query(session, selectWatermarks.bind(SCOPE), "read speed progress",
                row -> new SpeedTaskProgress(row.getInt("source_partition"), row.getInt("task"), row.getInt("task_count"),
                        row.getInstant("watermark"), row.getInstant("covered_since"),
                        Duration.ofSeconds(row.getLong("retention_seconds")), row.getInstant("updated_at"),
                        // rows written before the column existed: the log start is unknown
                        Optional.ofNullable(row.getInstant(ViewSchema.LOG_BEGINS)).orElse(Instant.EPOCH)));
    }

    @Override
    public void recordHole(IngestHole hole) {
        DriverCalls.execute(session, insertHole.bind(SCOPE, hole.partition(), hole.fromOffset(), hole.toOffset(), hole.fromIngest(),
                hole.toIngest()).setIdempotent(true), "record the hole at offset " + hole.fromOffset() + " of partition " + hole.partition());
    }

    @Override
    public List<IngestHole> holes() {
        return DriverCalls.query(session, selectHoles.bind(SCOPE), "read speed holes",
                row -> new IngestHole(LAYER, row.getInt("partition"), row.getLong("from_offset"), row.getLong("to_offset"),
                        row.getInstant("from_ingest"), row.getInstant("to_ingest")));
    }

    @Override
    public void saveDeadLetters(DeadLetterCount count, long offset) {
        DriverCalls.execute(session, insertDeadLetters.bind(SCOPE, count.partition(), count.reason().code(), count.count(), offset + 1)
                .setIdempotent(true), "save dead-letter count of partition " + count.partition());
    }

    @Override
    public List<DeadLetterCount> deadLetters() {
        return DriverCalls.query(session, selectDeadLetters.bind(SCOPE), "read dead-letter counts",
                row -> new DeadLetterCount(row.getInt("partition"), RejectionReason.fromCode(row.getString("reason")), row.getLong("count")));
    }

    @Override
    public Optional<LegacyRowsCopy> legacyRowsCopy() {
        if (legacyRowsCopy == null) {
            legacyRowsCopy = DriverCalls.query(session, selectUpgrade.bind(ViewSchema.SPEED_ROWS_UPGRADE), "read the upgrade marker",
                    row -> new LegacyRowsCopy(row.getInstant("copied_from"), row.getLong("rows_copied"), row.getInstant("completed_at")))
                    .stream().findFirst().orElse(null);
        }
        return Optional.ofNullable(legacyRowsCopy);
    }

    @Override
    public void recordLegacyRowsCopy(LegacyRowsCopy copy) {
        DriverCalls.execute(session, insertUpgrade.bind(ViewSchema.SPEED_ROWS_UPGRADE, copy.copiedFrom(), copy.rows(), copy.completedAt())
                .setIdempotent(true), "record the speed rows upgrade marker");
        legacyRowsCopy = copy;
    }

    /** Microseconds, like a client timestamp, so that a later watermark always wins. */
    private static long watermarkTimestamp(Instant watermark) {
        return Math.addExact(Math.multiplyExact(watermark.getEpochSecond(), 1_000_000L), watermark.getNano() / 1_000);
    }

    /** The TTL of every write: 0, which Cassandra reads as "never expires", for rows kept forever. */
    private int ttlSeconds() {
        return retention.equals(SpeedViews.KEPT_FOREVER) ? 0 : Math.toIntExact(retention.toSeconds());
    }
}
