package io.lambdaplatform.viewstore;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.lambdaplatform.model.EventWindow;
import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.model.Metrics;
import io.lambdaplatform.model.ViewKey;
import io.lambdaplatform.viewstore.internal.BoundedWrites;
import io.lambdaplatform.viewstore.internal.DriverCalls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

import static io.lambdaplatform.viewstore.ViewSchema.BATCH_POINTER;
import static io.lambdaplatform.viewstore.ViewSchema.BATCH_VERSIONS;
import static io.lambdaplatform.viewstore.ViewSchema.BATCH_VIEWS;
import static io.lambdaplatform.viewstore.ViewSchema.BATCH_VIEW_PARTITIONS;
import static io.lambdaplatform.viewstore.ViewSchema.BATCH_VIEW_PRODUCTS;
import static java.util.Objects.requireNonNull;

/** {@link BatchViews} in Cassandra. All statements are prepared once, with bound values. */
public final class CassandraBatchViews implements BatchViews {

    private static final Logger LOG = LoggerFactory.getLogger(CassandraBatchViews.class);
    private static final String SCOPE = "views";
    private static final int MAX_VERSION_ALLOCATION_ATTEMPTS = 20;

    private final CqlSession session;
    private final WriteLimits limits;
    private final PreparedStatement insertRow;
    private final PreparedStatement insertPartition;
    private final PreparedStatement insertProduct;
    private final PreparedStatement selectRows;
    private final PreparedStatement selectProducts;
    private final PreparedStatement selectPartitions;
    private final PreparedStatement deleteRows;
    private final PreparedStatement deletePartitions;
    private final PreparedStatement deleteProducts;
    private final PreparedStatement allocateVersion;
    private final PreparedStatement markPublished;
    private final PreparedStatement deleteVersion;
    private final PreparedStatement selectVersions;
    private final PreparedStatement writePointer;
    private final PreparedStatement selectPointer;

    /** How executors write rows: writes in flight per writer, attempts per row, first retry delay. */
    public record WriteLimits(int maxInFlight, int maxAttempts, Duration firstBackoff) {
        public static final WriteLimits DEFAULT = new WriteLimits(256, 8, Duration.ofMillis(200));

        public WriteLimits {
            requireNonNull(firstBackoff, "firstBackoff is null");
        }
    }

    public CassandraBatchViews(CqlSession session, String keyspace) {
        this(session, keyspace, WriteLimits.DEFAULT);
    }

    public CassandraBatchViews(CqlSession session, String keyspace, WriteLimits limits) {
        this.session = requireNonNull(session, "session is null");
        this.limits = requireNonNull(limits, "limits is null");
        String k = requireNonNull(keyspace, "keyspace is null") + ".";
        this.insertRow = session.prepare("INSERT INTO " + k + BATCH_VIEWS
                + " (version, product_id, granularity, partition_start, window_start, event_count, revenue, " + ViewSchema.DURATION_TOTAL + ")"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
        this.insertPartition = session.prepare("INSERT INTO " + k + BATCH_VIEW_PARTITIONS
                + " (version, product_id, granularity, partition_start) VALUES (?, ?, ?, ?)");
        this.insertProduct = session.prepare("INSERT INTO " + k + BATCH_VIEW_PRODUCTS + " (version, product_id) VALUES (?, ?)");
        this.selectRows = session.prepare("SELECT window_start, event_count, revenue, duration_sum_ms, " + ViewSchema.DURATION_TOTAL
                + " FROM " + k + BATCH_VIEWS
                + " WHERE version = ? AND product_id = ? AND granularity = ? AND partition_start = ?"
                + " AND window_start >= ? AND window_start < ?");
        this.selectProducts = session.prepare("SELECT product_id FROM " + k + BATCH_VIEW_PRODUCTS + " WHERE version = ?");
        this.selectPartitions = session.prepare("SELECT granularity, partition_start FROM " + k + BATCH_VIEW_PARTITIONS
                + " WHERE version = ? AND product_id = ?");
        this.deleteRows = session.prepare("DELETE FROM " + k + BATCH_VIEWS
                + " WHERE version = ? AND product_id = ? AND granularity = ? AND partition_start = ?");
        this.deletePartitions = session.prepare("DELETE FROM " + k + BATCH_VIEW_PARTITIONS + " WHERE version = ? AND product_id = ?");
        this.deleteProducts = session.prepare("DELETE FROM " + k + BATCH_VIEW_PRODUCTS + " WHERE version = ?");
        this.allocateVersion = session.prepare("INSERT INTO " + k + BATCH_VERSIONS
                + " (scope, version, cutoff, computed_at, view_rows, event_count) VALUES (?, ?, ?, ?, 0, 0) IF NOT EXISTS");
        this.markPublished = session.prepare("UPDATE " + k + BATCH_VERSIONS
                + " SET published_at = ?, view_rows = ?, event_count = ? WHERE scope = ? AND version = ?");
        this.deleteVersion = session.prepare("DELETE FROM " + k + BATCH_VERSIONS + " WHERE scope = ? AND version = ?");
        this.selectVersions = session.prepare("SELECT version, cutoff, computed_at, published_at, view_rows, event_count FROM "
                + k + BATCH_VERSIONS + " WHERE scope = ?");
        this.writePointer = session.prepare("INSERT INTO " + k + BATCH_POINTER
                + " (scope, version, cutoff, computed_at, published_at, view_rows, event_count) VALUES (?, ?, ?, ?, ?, ?, ?)");
        this.selectPointer = session.prepare("SELECT version, cutoff, computed_at, published_at, view_rows, event_count FROM "
                + k + BATCH_POINTER + " WHERE scope = ?");
    }

    @Override
    public Optional<BatchVersion> current() {
        return DriverCalls.query(session, selectPointer.bind(SCOPE), "read batch pointer", CassandraBatchViews::version)
                .stream().findFirst();
    }

    @Override
    public List<BatchVersion> versions() {
        return DriverCalls.query(session, selectVersions.bind(SCOPE), "list batch versions", CassandraBatchViews::version);
    }

    @Override
    public BatchVersion begin(Instant cutoff, Instant computedAt) {
        for (int attempt = 0; attempt < MAX_VERSION_ALLOCATION_ATTEMPTS; attempt++) {
            long next = versions().stream().mapToLong(BatchVersion::version).max().orElse(0) + 1;
            Row result = DriverCalls.execute(session, allocateVersion.bind(SCOPE, next, cutoff, computedAt),
                    "allocate batch version " + next).one();
            if (result != null && result.getBoolean("[applied]")) {
                LOG.info("Allocated batch version {} for cutoff {}", next, cutoff);
                return BatchVersion.writing(next, cutoff, computedAt);
            }
        }
        throw new ViewStoreException("Could not allocate a batch version after " + MAX_VERSION_ALLOCATION_ATTEMPTS
                + " attempts: another run keeps taking the next number");
    }

    @Override
    public BatchViewWriter writer(long version) {
        return new Writer(version);
    }

    @Override
    public BatchVersion publish(long version, long viewRows, long eventCount, Instant publishedAt) {
        BatchVersion writing = find(version)
                .orElseThrow(() -> new ViewStoreException("Cannot publish batch version " + version + ": it was never begun"));
        BatchVersion published = writing.withPublished(publishedAt, viewRows, eventCount);
        // One logged batch: the version record and the pointer change together or not at all.
        BatchStatement flip = BatchStatement.builder(DefaultBatchType.LOGGED)
                .addStatement(markPublished.bind(publishedAt, viewRows, eventCount, SCOPE, version))
                .addStatement(pointerTo(published))
                .build();
        DriverCalls.execute(session, flip, "publish batch version " + version);
        LOG.info("Published batch version {} (cutoff {}, {} rows, {} events)", version, published.cutoff(), viewRows, eventCount);
        return published;
    }

    @Override
    public Optional<BatchVersion> rollback() {
        Optional<BatchVersion> current = current();
        if (current.isEmpty()) {
            return Optional.empty();
        }
        long from = current.get().version();
        Optional<BatchVersion> previous = versions().stream()
                .filter(BatchVersion::isPublished)
                .filter(candidate -> candidate.version() < from)
                .max(Comparator.comparingLong(BatchVersion::version));
        previous.ifPresent(target -> {
            DriverCalls.execute(session, pointerTo(target), "roll back to batch version " + target.version());
            LOG.info("Rolled back batch views from version {} to {}", from, target.version());
        });
        return previous;
    }

    @Override
    public List<BatchVersion> retainLatest(int keep) {
        if (keep < 1) {
            throw new IllegalArgumentException("Must keep at least one batch version: " + keep);
        }
        List<BatchVersion> all = versions();
        Set<Long> kept = new HashSet<>();
        current().ifPresent(pointer -> kept.add(pointer.version()));
        all.stream().filter(BatchVersion::isPublished)
                .sorted(Comparator.comparingLong(BatchVersion::version).reversed())
                .limit(keep)
                .forEach(version -> kept.add(version.version()));
        long newestPublished = all.stream().filter(BatchVersion::isPublished).mapToLong(BatchVersion::version).max().orElse(0);
        List<BatchVersion> removed = new ArrayList<>();
        for (BatchVersion version : all) {
            boolean obsolete = version.isPublished() ? !kept.contains(version.version()) : version.version() < newestPublished;
            if (obsolete) {
                remove(version.version());
                removed.add(version);
            }
        }
        return removed;
    }

    @Override
    public List<ViewRow> read(long version, String productId, Granularity granularity, Instant from, Instant to) {
        List<CompletableFuture<List<ViewRow>>> reads = new ArrayList<>();
        for (Instant partition : PartitionSpan.partitionsBetween(granularity, from, to)) {
            reads.add(DriverCalls.queryAsync(session,
                    selectRows.bind(version, productId, granularity.label(), partition, from, to),
                    "read batch view " + version + "/" + productId + "/" + granularity,
                    row -> new ViewRow(
                            new ViewKey(productId, new EventWindow(granularity, row.getInstant("window_start"))),
                            metrics(row))));
        }
        return DriverCalls.joinAll(reads);
    }

    @Override
    public Set<String> products(long version) {
        return new TreeSet<>(DriverCalls.query(session, selectProducts.bind(version), "list products of version " + version,
                row -> row.getString("product_id")));
    }

    /** A batch row's aggregate: the exact duration sum, or the 64-bit one of a row written before it existed. */
    static Metrics metrics(Row row) {
        long count = row.getLong("event_count");
        if (count == 0) {
            return Metrics.EMPTY;
        }
        BigInteger total = row.getBigInteger(ViewSchema.DURATION_TOTAL);
        return new Metrics(count, row.getBigDecimal("revenue"), total != null ? total : BigInteger.valueOf(row.getLong("duration_sum_ms")));
    }

    private Optional<BatchVersion> find(long version) {
        return versions().stream().filter(candidate -> candidate.version() == version).findFirst();
    }

    private com.datastax.oss.driver.api.core.cql.BoundStatement pointerTo(BatchVersion version) {
        return writePointer.bind(SCOPE, version.version(), version.cutoff(), version.computedAt(), version.publishedAt(),
                version.viewRows(), version.eventCount());
    }

    private void remove(long version) {
        BoundedWrites deletes = new BoundedWrites(session, limits.maxInFlight(), limits.maxAttempts(), limits.firstBackoff());
        Set<String> products = products(version);
        for (String product : products) {
            List<Row> partitions = DriverCalls.query(session, selectPartitions.bind(version, product),
                    "list partitions of version " + version, row -> row);
            for (Row partition : partitions) {
                deletes.submit(deleteRows.bind(version, product, partition.getString("granularity"),
                        partition.getInstant("partition_start")), "delete rows of version " + version);
            }
        }
        deletes.awaitAll();
        for (String product : products) {
            deletes.submit(deletePartitions.bind(version, product), "delete partition index of version " + version);
        }
        deletes.awaitAll();
        DriverCalls.execute(session, deleteProducts.bind(version), "delete products of version " + version);
        DriverCalls.execute(session, deleteVersion.bind(SCOPE, version), "delete batch version " + version);
        LOG.info("Removed batch version {} ({} products)", version, products.size());
    }

    private static BatchVersion version(Row row) {
        return new BatchVersion(row.getLong("version"), row.getInstant("cutoff"), row.getInstant("computed_at"),
                row.getInstant("published_at"), row.getLong("view_rows"), row.getLong("event_count"));
    }

    private final class Writer implements BatchViewWriter {

        private final long version;
        private final BoundedWrites writes;
        private final Set<String> partitionsSeen = new HashSet<>();
        private final Set<String> productsSeen = new HashSet<>();
        private long rowsSubmitted;

        Writer(long version) {
            this.version = version;
            this.writes = new BoundedWrites(session, limits.maxInFlight(), limits.maxAttempts(), limits.firstBackoff());
        }

        @Override
        public void write(ViewRow row) {
            ViewKey key = row.key();
            Granularity granularity = key.window().granularity();
            Instant partition = PartitionSpan.partitionStart(granularity, key.window().start());
            if (productsSeen.add(key.productId())) {
                writes.submit(insertProduct.bind(version, key.productId()), "index product " + key.productId());
            }
            if (partitionsSeen.add(key.productId() + "/" + granularity.label() + "/" + partition.toEpochMilli())) {
                writes.submit(insertPartition.bind(version, key.productId(), granularity.label(), partition),
                        "index partition of " + key.productId());
            }
            Metrics metrics = row.metrics();
            writes.submit(insertRow.bind(version, key.productId(), granularity.label(), partition, key.window().start(),
                    metrics.eventCount(), metrics.revenue(), metrics.durationSumMs()), "batch row of " + key.productId());
            rowsSubmitted++;
        }

        @Override
        public long rowCount() {
            return rowsSubmitted;
        }

        @Override
        public void close() {
            writes.awaitAll();
            LOG.debug("Wrote {} rows of batch version {} ({} retries)", rowsSubmitted, version, writes.retries());
        }
    }
}
