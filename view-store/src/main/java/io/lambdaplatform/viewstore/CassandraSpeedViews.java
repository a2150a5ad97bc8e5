package io.lambdaplatform.viewstore;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import io.lambdaplatform.model.EventWindow;
import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.model.Metrics;
import io.lambdaplatform.model.RejectionReason;
import io.lambdaplatform.model.ViewKey;
import io.lambdaplatform.viewstore.internal.DriverCalls;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import static io.lambdaplatform.viewstore.ViewSchema.SPEED_DEAD_LETTERS;
import static io.lambdaplatform.viewstore.ViewSchema.SPEED_PRODUCTS;
import static io.lambdaplatform.viewstore.ViewSchema.SPEED_PROGRESS;
import static io.lambdaplatform.viewstore.ViewSchema.SPEED_VIEWS;
import static java.util.Objects.requireNonNull;

/**
 * {@link SpeedViews} in Cassandra. Rows are upserted with a TTL of {@code retention}, so they live at
 * least that long after their last change; partitions hold one day of 5-minute windows of one product.
 */
public final class CassandraSpeedViews implements SpeedViews {

    private static final String SCOPE = "events";
    private static final int MAX_PRODUCTS_LISTED = 10_000;

    private final CqlSession session;
    private final Duration retention;
    private final PreparedStatement upsertDelta;
    private final PreparedStatement selectDeltas;
    private final PreparedStatement upsertProduct;
    private final PreparedStatement selectProducts;
    private final PreparedStatement upsertProgress;
    private final PreparedStatement selectProgress;
    private final PreparedStatement upsertDeadLetters;
    private final PreparedStatement selectDeadLetters;

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
        this.upsertDelta = session.prepare("INSERT INTO " + k + SPEED_VIEWS
                + " (product_id, partition_start, window_start, ingest_bucket, event_count, revenue, duration_sum_ms)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?) USING TTL ?");
        this.selectDeltas = session.prepare("SELECT window_start, ingest_bucket, event_count, revenue, duration_sum_ms FROM "
                + k + SPEED_VIEWS + " WHERE product_id = ? AND partition_start = ? AND window_start >= ? AND window_start < ?");
        this.upsertProduct = session.prepare("INSERT INTO " + k + SPEED_PRODUCTS + " (product_id) VALUES (?) USING TTL ?");
        this.selectProducts = session.prepare("SELECT product_id FROM " + k + SPEED_PRODUCTS + " LIMIT " + MAX_PRODUCTS_LISTED);
        this.upsertProgress = session.prepare("INSERT INTO " + k + SPEED_PROGRESS
                + " (scope, partition, watermark, covered_since, retention_seconds, updated_at) VALUES (?, ?, ?, ?, ?, ?)");
        this.selectProgress = session.prepare("SELECT partition, watermark, covered_since, retention_seconds, updated_at FROM "
                + k + SPEED_PROGRESS + " WHERE scope = ?");
        this.upsertDeadLetters = session.prepare("INSERT INTO " + k + SPEED_DEAD_LETTERS
                + " (scope, partition, reason, count) VALUES (?, ?, ?, ?)");
        this.selectDeadLetters = session.prepare("SELECT partition, reason, count FROM " + k + SPEED_DEAD_LETTERS + " WHERE scope = ?");
    }

    @Override
    public CompletionStage<Void> upsert(SpeedDelta delta) {
        ViewKey key = delta.key();
        Instant windowStart = key.window().start();
        Metrics metrics = delta.metrics();
        return DriverCalls.executeAsync(session,
                upsertDelta.bind(key.productId(), PartitionSpan.partitionStart(Granularity.FIVE_MINUTES, windowStart),
                        windowStart, delta.ingestBucket(), metrics.eventCount(), metrics.revenue(), metrics.durationSumMs().longValueExact(),
                        ttlSeconds()).setIdempotent(true),
                "upsert speed delta of " + key.productId());
    }

    @Override
    public List<SpeedDelta> read(String productId, Instant from, Instant to) {
        List<CompletableFuture<List<SpeedDelta>>> reads = new ArrayList<>();
        for (Instant partition : PartitionSpan.partitionsBetween(Granularity.FIVE_MINUTES, from, to)) {
            reads.add(DriverCalls.queryAsync(session, selectDeltas.bind(productId, partition, from, to),
                    "read speed deltas of " + productId,
                    row -> new SpeedDelta(
                            new ViewKey(productId, new EventWindow(Granularity.FIVE_MINUTES, row.getInstant("window_start"))),
                            row.getInstant("ingest_bucket"),
                            speedMetrics(row))));
        }
        return DriverCalls.joinAll(reads);
    }

    @Override
    public CompletionStage<Void> recordProduct(String productId) {
        return DriverCalls.executeAsync(session, upsertProduct.bind(productId, ttlSeconds()).setIdempotent(true),
                "record product " + productId);
    }

    @Override
    public Set<String> products() {
        return new TreeSet<>(DriverCalls.query(session, selectProducts.bind(), "list speed products", row -> row.getString("product_id")));
    }

    @Override
    public void saveProgress(SpeedProgress progress) {
        DriverCalls.execute(session, upsertProgress.bind(SCOPE, progress.partition(), progress.watermark(), progress.coveredSince(),
                progress.retention().toSeconds(), progress.updatedAt()).setIdempotent(true),
                "save speed progress of partition " + progress.partition());
    }

    @Override
    public List<SpeedProgress> progress() {
        return DriverCalls.query(session, selectProgress.bind(SCOPE), "read speed progress",
                row -> new SpeedProgress(row.getInt("partition"), row.getInstant("watermark"), row.getInstant("covered_since"),
                        Duration.ofSeconds(row.getLong("retention_seconds")), row.getInstant("updated_at")));
    }

    @Override
    public void saveDeadLetters(DeadLetterCount count) {
        DriverCalls.execute(session, upsertDeadLetters.bind(SCOPE, count.partition(), count.reason().code(), count.count())
                .setIdempotent(true), "save dead-letter count of partition " + count.partition());
    }

    @Override
    public List<DeadLetterCount> deadLetters() {
        return DriverCalls.query(session, selectDeadLetters.bind(SCOPE), "read dead-letter counts",
                row -> new DeadLetterCount(row.getInt("partition"), RejectionReason.fromCode(row.getString("reason")), row.getLong("count")));
    }

    private static Metrics speedMetrics(com.datastax.oss.driver.api.core.cql.Row row) {
        long count = row.getLong("event_count");
        return count == 0 ? Metrics.EMPTY : new Metrics(count, row.getBigDecimal("revenue"), row.getLong("duration_sum_ms"));
    }

    private int ttlSeconds() {
        return Math.toIntExact(retention.toSeconds());
    }
}
