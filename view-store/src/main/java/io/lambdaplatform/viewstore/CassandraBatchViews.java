package io.lambdaplatform.viewstore;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.Statement;
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
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

import static io.lambdaplatform.viewstore.ViewSchema.BATCH_BUILDS;
import static io.lambdaplatform.viewstore.ViewSchema.BATCH_HOLES;
import static io.lambdaplatform.viewstore.ViewSchema.BATCH_LEASE;
import static io.lambdaplatform.viewstore.ViewSchema.BATCH_POINTER;
import static io.lambdaplatform.viewstore.ViewSchema.BATCH_VERSIONS;
import static io.lambdaplatform.viewstore.ViewSchema.BATCH_VIEWS;
import static io.lambdaplatform.viewstore.ViewSchema.BATCH_VIEW_PARTITIONS;
import static io.lambdaplatform.viewstore.ViewSchema.BATCH_VIEW_PRODUCTS;
import static java.util.Objects.requireNonNull;

/**
 * {@link BatchViews} in Cassandra. All statements are prepared once, with bound values. The lease and the pointer
 * change only by lightweight transactions (Paxos, at the driver's serial consistency); the pointer and the version
 * record are in different tables, so publishing moves the pointer first and then marks the version published.
 */
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
    private final PreparedStatement selectRowsAt;
    private final PreparedStatement selectProducts;
    private final PreparedStatement selectProductsByPrefix;
    private final PreparedStatement selectPartitions;
    private final PreparedStatement selectGranularityPartitions;
    private final PreparedStatement deleteRows;
    private final PreparedStatement deletePartitions;
    private final PreparedStatement deleteProducts;
    private final PreparedStatement allocateVersion;
    private final PreparedStatement markPublished;
    private final PreparedStatement deleteVersion;
    private final PreparedStatement selectVersions;
    private final PreparedStatement createPointer;
    private final PreparedStatement movePointer;
    private final PreparedStatement selectPointer;
    private final PreparedStatement insertLease;
    private final PreparedStatement renewLease;
    private final PreparedStatement deleteLease;
    private final PreparedStatement insertBuild;
    private final PreparedStatement selectBuild;
    private final PreparedStatement deleteBuild;
    private final PreparedStatement insertHole;
    private final PreparedStatement selectHoles;

    /**
     * How executors write rows: writes in flight per writer, attempts per write, first retry delay, and how many rows
     * of one Cassandra partition go into one unlogged batch ({@code 1}: one {@code INSERT} per row).
     */
    public record WriteLimits(int maxInFlight, int maxAttempts, Duration firstBackoff, int rowsPerBatch) {
        public static final int DEFAULT_ROWS_PER_BATCH = 64;
        public static final WriteLimits DEFAULT = new WriteLimits(256, 8, Duration.ofMillis(200), DEFAULT_ROWS_PER_BATCH);

        public WriteLimits {
            requireNonNull(firstBackoff, "firstBackoff is null");
            if (rowsPerBatch < 1) {
                throw new IllegalArgumentException("rowsPerBatch must be positive: " + rowsPerBatch);
            }
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
                + " (version, product_id, granularity, partition_start, window_start, event_count, revenue, " + ViewSchema.DURATION_TOTAL
                + ", " + SketchColumns.NAMES + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        this.insertPartition = session.prepare("INSERT INTO " + k + BATCH_VIEW_PARTITIONS
                + " (version, product_id, granularity, partition_start, " + ViewSchema.STORED_IN + ", " + ViewSchema.OVERLAY_IN
                + ") VALUES (?, ?, ?, ?, ?, ?)");
        this.insertProduct = session.prepare("INSERT INTO " + k + BATCH_VIEW_PRODUCTS + " (version, product_id) VALUES (?, ?)");
        this.selectRows = session.prepare("SELECT window_start, event_count, revenue, duration_sum_ms, " + ViewSchema.DURATION_TOTAL
                + ", " + SketchColumns.NAMES + " FROM " + k + BATCH_VIEWS
                + " WHERE version = ? AND product_id = ? AND granularity = ? AND partition_start = ?"
                + " AND window_start >= ? AND window_start < ?");
        this.selectRowsAt = session.prepare("SELECT window_start, event_count, revenue, duration_sum_ms, " + ViewSchema.DURATION_TOTAL
                + ", " + SketchColumns.NAMES + " FROM " + k + BATCH_VIEWS
                + " WHERE version = ? AND product_id = ? AND granularity = ? AND partition_start = ? AND window_start IN ?");
        this.selectProducts = session.prepare("SELECT product_id FROM " + k + BATCH_VIEW_PRODUCTS + " WHERE version = ?");
        this.selectProductsByPrefix = session.prepare("SELECT product_id FROM " + k + BATCH_VIEW_PRODUCTS
                + " WHERE version = ? AND product_id >= ? AND product_id < ? LIMIT ?");
        String location = "granularity, partition_start, " + ViewSchema.STORED_IN + ", " + ViewSchema.OVERLAY_IN;
        this.selectPartitions = session.prepare("SELECT " + location + " FROM " + k + BATCH_VIEW_PARTITIONS
                + " WHERE version = ? AND product_id = ?");
        this.selectGranularityPartitions = session.prepare("SELECT " + location + " FROM " + k + BATCH_VIEW_PARTITIONS
                + " WHERE version = ? AND product_id = ? AND granularity = ?");
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
        this.createPointer = session.prepare("INSERT INTO " + k + BATCH_POINTER
                + " (scope, version, cutoff, computed_at, published_at, view_rows, event_count) VALUES (?, ?, ?, ?, ?, ?, ?)"
                + " IF NOT EXISTS");
        this.movePointer = session.prepare("UPDATE " + k + BATCH_POINTER
                + " SET version = ?, cutoff = ?, computed_at = ?, published_at = ?, view_rows = ?, event_count = ?"
                + " WHERE scope = ? IF version = ?");
        this.insertLease = session.prepare("INSERT INTO " + k + BATCH_LEASE + " (scope, holder, since, renewed_at)"
                + " VALUES (?, ?, ?, ?) IF NOT EXISTS USING TTL ?");
        this.renewLease = session.prepare("UPDATE " + k + BATCH_LEASE + " USING TTL ?"
                + " SET holder = ?, since = ?, renewed_at = ? WHERE scope = ? IF holder = ?");
        this.deleteLease = session.prepare("DELETE FROM " + k + BATCH_LEASE + " WHERE scope = ? IF holder = ?");
        this.insertBuild = session.prepare("INSERT INTO " + k + BATCH_BUILDS
                + " (scope, version, kind, base_version, rules_version, views, basis, last_full_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
        this.selectBuild = session.prepare("SELECT kind, base_version, rules_version, views, basis, last_full_at FROM " + k + BATCH_BUILDS
                + " WHERE scope = ? AND version = ?");
        this.deleteBuild = session.prepare("DELETE FROM " + k + BATCH_BUILDS + " WHERE scope = ? AND version = ?");
        this.insertHole = session.prepare("INSERT INTO " + k + BATCH_HOLES
                + " (scope, layer, partition, from_offset, to_offset, from_ingest, to_ingest) VALUES (?, ?, ?, ?, ?, ?, ?)");
        this.selectHoles = session.prepare("SELECT layer, partition, from_offset, to_offset, from_ingest, to_ingest FROM "
                + k + BATCH_HOLES + " WHERE scope = ?");
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
        return new Writer(version, true);
    }

    @Override
    public BatchVersion publish(long version, long viewRows, long eventCount, Instant publishedAt, long expectedCurrent) {
        BatchVersion writing = find(version)
                .orElseThrow(() -> new ViewStoreException("Cannot publish batch version " + version + ": it was never begun"));
        BatchVersion published = writing.withPublished(publishedAt, viewRows, eventCount);
        // The pointer first, by compare-and-set: a version record marked published whose pointer flip failed would
        // only be a candidate for rollback; a pointer at a version not yet marked is read the same by the serving layer.
        movePointer(published, expectedCurrent, "publish batch version " + version);
        DriverCalls.execute(session, markPublished.bind(publishedAt, viewRows, eventCount, SCOPE, version),
                "mark batch version " + version + " published");
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
            movePointer(target, from, "roll back to batch version " + target.version());
            LOG.info("Rolled back batch views from version {} to {}", from, target.version());
        });
        return previous;
    }

    @Override
    public List<BatchVersion> retainLatest(int keep) {
        if (keep < 1) {
            throw new IllegalArgumentException("Must keep at least one batch version: " + keep);
        }
        long current = current().map(BatchVersion::version).orElse(NO_VERSION);
        List<BatchVersion> all = versions();
        Set<Long> kept = new HashSet<>();
        all.stream().filter(BatchVersion::isPublished)
                .sorted(Comparator.comparingLong(BatchVersion::version).reversed())
                .limit(keep)
                .forEach(version -> kept.add(version.version()));
        Set<Long> remaining = new TreeSet<>();
        all.forEach(version -> remaining.add(version.version()));
        List<BatchVersion> removed = new ArrayList<>();
        for (BatchVersion version : all) {
            // Never the current version or a newer one: a rolled-back-from version, or one a run is publishing.
            boolean obsolete = version.version() < current && !kept.contains(version.version());
            if (obsolete) {
                remaining.remove(version.version());
                remove(version.version(), remaining);
                removed.add(version);
            }
        }
        return removed;
    }

    @Override
    public void extend(long version, long base, Set<ViewPartition> touched) {
        BoundedWrites writes = new BoundedWrites(session, limits.maxInFlight(), limits.maxAttempts(), limits.firstBackoff());
        Map<String, List<ViewPartition>> touchedByProduct = new HashMap<>();
        touched.forEach(partition -> touchedByProduct.computeIfAbsent(partition.productId(), product -> new ArrayList<>()).add(partition));
        Set<String> productSet = new TreeSet<>(products(base));
        productSet.addAll(touchedByProduct.keySet());
        List<String> products = List.copyOf(productSet);
        long shared = 0;
        long overlaid = 0;
        for (int from = 0; from < products.size(); from += PRODUCTS_READ_TOGETHER) {
            List<String> chunk = products.subList(from, Math.min(products.size(), from + PRODUCTS_READ_TOGETHER));
            Map<String, List<StoredPartition>> layouts = layouts(base, chunk);
            for (String product : chunk) {
                writes.submit(insertProduct.bind(version, product), "index product " + product + " of version " + version);
                Map<ViewPartition, StoredPartition> layout = new HashMap<>();
                for (StoredPartition stored : layouts.get(product)) {
                    boolean changed = touched.contains(stored.partition());
                    layout.put(stored.partition(), changed ? stored.overlaidBy(version) : stored);
                    shared += changed ? 0 : 1;
                    overlaid += changed ? 1 : 0;
                }
                for (ViewPartition partition : touchedByProduct.getOrDefault(product, List.of())) {
                    layout.putIfAbsent(partition, new StoredPartition(partition, version));
                }
                List<BoundStatement> entries = layout.values().stream().map(stored -> index(version, stored)).toList();
                // One product's entries are one Cassandra partition: a few unlogged batches, each one mutation.
                for (int at = 0; at < entries.size(); at += INDEX_ENTRIES_PER_BATCH) {
                    List<BoundStatement> batch = entries.subList(at, Math.min(entries.size(), at + INDEX_ENTRIES_PER_BATCH));
                    writes.submit(batch.size() == 1 ? batch.get(0) : BatchStatement.newInstance(BatchType.UNLOGGED, batch.toArray(new BoundStatement[0])),
                            "lay out " + batch.size() + " partitions of " + product + " in version " + version);
                }
            }
        }
        writes.awaitAll();
        LOG.info("Version {} extends version {}: {} partitions shared, {} overlaid, {} new, of {} products", version, base, shared, overlaid,
                touched.size() - overlaid, products.size());
    }

    @Override
    public BatchViewWriter rowWriter(long version) {
        return new Writer(version, false);
    }

    @Override
    public List<ViewRow> changedOrAt(long version, Map<ViewPartition, ? extends Collection<Instant>> windows) {
        List<String> products = windows.keySet().stream().map(ViewPartition::productId).distinct().sorted().toList();
        List<ViewRow> rows = new ArrayList<>();
        for (int from = 0; from < products.size(); from += PRODUCTS_READ_TOGETHER) {
            List<CompletableFuture<List<ViewRow>>> reads = new ArrayList<>();
            for (List<StoredPartition> layout : layouts(version, products.subList(from, Math.min(products.size(), from + PRODUCTS_READ_TOGETHER))).values()) {
                for (StoredPartition stored : layout) {
                    Collection<Instant> at = windows.get(stored.partition());
                    if (at != null) {
                        reads.add(changedOrAt(stored, at));
                    }
                }
            }
            rows.addAll(DriverCalls.joinAll(reads));
        }
        return rows;
    }

    /** The overlay's rows of a stored partition, and the stored rows at {@code windows} that the overlay has not replaced. */
    private CompletableFuture<List<ViewRow>> changedOrAt(StoredPartition stored, Collection<Instant> windows) {
        ViewPartition partition = stored.partition();
        CompletableFuture<List<ViewRow>> atWindows = windows.isEmpty() ? CompletableFuture.completedFuture(List.of())
                : DriverCalls.queryAsync(session, selectRowsAt.bind(stored.storedIn(), partition.productId(), partition.granularity().label(),
                                partition.start(), List.copyOf(windows)),
                        "read batch view " + stored.storedIn() + "/" + partition.productId() + "/" + partition.granularity(),
                        row -> viewRow(partition, row));
        if (!stored.hasOverlay()) {
            return atWindows;
        }
        return atWindows.thenCombine(rowsOf(partition, stored.overlayIn(), partition.start(), partition.end()), CassandraBatchViews::overlay);
    }

    @Override
    public List<StoredPartition> partitions(long version, String productId, Granularity granularity) {
        return DriverCalls.query(session, selectGranularityPartitions.bind(version, productId, granularity.label()),
                "list partitions of version " + version + "/" + productId + "/" + granularity, row -> stored(version, productId, row));
    }

    @Override
    public List<ViewRow> read(StoredPartition stored, Instant from, Instant to) {
        return DriverCalls.joinAll(List.of(readAsync(stored, from, to)));
    }

    @Override
    public List<ViewRow> read(long version, String productId, Granularity granularity, Instant from, Instant to) {
        List<CompletableFuture<List<ViewRow>>> reads = new ArrayList<>();
        for (StoredPartition stored : partitions(version, productId, granularity)) {
            if (stored.partition().overlaps(from, to)) {
                reads.add(readAsync(stored, from, to));
            }
        }
        return DriverCalls.joinAll(reads);
    }

    /** Reads the partitions of up to this many products at a time, all of them concurrently. */
    private static final int PRODUCTS_READ_TOGETHER = 64;
    /** Index entries of one product per unlogged batch when a version extends another. */
    private static final int INDEX_ENTRIES_PER_BATCH = 256;

    @Override
    public List<ViewRow> rows(long version, Collection<String> productIds) {
        List<ViewRow> rows = new ArrayList<>();
        List<String> products = List.copyOf(productIds);
        for (int from = 0; from < products.size(); from += PRODUCTS_READ_TOGETHER) {
            List<String> chunk = products.subList(from, Math.min(products.size(), from + PRODUCTS_READ_TOGETHER));
            List<CompletableFuture<List<ViewRow>>> reads = new ArrayList<>();
            layouts(version, chunk).values().forEach(layout -> layout.forEach(stored -> reads.add(readAsync(stored, Instant.MIN, Instant.MAX))));
            rows.addAll(DriverCalls.joinAll(reads));
        }
        return rows;
    }

    /** Every stored partition of a version for each of some products, read concurrently. */
    private Map<String, List<StoredPartition>> layouts(long version, List<String> products) {
        Map<String, CompletableFuture<List<StoredPartition>>> listings = new HashMap<>();
        for (String product : products) {
            listings.put(product, DriverCalls.queryAsync(session, selectPartitions.bind(version, product),
                    "list partitions of version " + version + "/" + product, row -> stored(version, product, row)));
        }
        Map<String, List<StoredPartition>> layouts = new HashMap<>();
        listings.forEach((product, listing) -> layouts.put(product, DriverCalls.joinAll(List.of(listing))));
        return layouts;
    }

    /** The rows of a stored partition in {@code [from, to)}: the stored ones, the overlay's replacing those of the same window. */
    private CompletableFuture<List<ViewRow>> readAsync(StoredPartition stored, Instant from, Instant to) {
        ViewPartition partition = stored.partition();
        Instant start = from.isBefore(partition.start()) ? partition.start() : from;
        Instant end = to.isAfter(partition.end()) ? partition.end() : to;
        CompletableFuture<List<ViewRow>> rows = rowsOf(partition, stored.storedIn(), start, end);
        return stored.hasOverlay() ? rows.thenCombine(rowsOf(partition, stored.overlayIn(), start, end), CassandraBatchViews::overlay) : rows;
    }

    private CompletableFuture<List<ViewRow>> rowsOf(ViewPartition partition, long version, Instant from, Instant to) {
        return DriverCalls.queryAsync(session,
                selectRows.bind(version, partition.productId(), partition.granularity().label(), partition.start(), from, to),
                "read batch view " + version + "/" + partition.productId() + "/" + partition.granularity(),
                row -> viewRow(partition, row));
    }

    /** Rows of one partition by window, those of {@code overlay} replacing those of {@code stored} of the same window. */
    static List<ViewRow> overlay(List<ViewRow> stored, List<ViewRow> overlay) {
        Map<Instant, ViewRow> byWindow = new TreeMap<>();
        stored.forEach(row -> byWindow.put(row.key().window().start(), row));
        overlay.forEach(row -> byWindow.put(row.key().window().start(), row));
        return List.copyOf(byWindow.values());
    }

    private static ViewRow viewRow(ViewPartition partition, Row row) {
        return new ViewRow(new ViewKey(partition.productId(), new EventWindow(partition.granularity(), row.getInstant("window_start"))), metrics(row));
    }

    private BoundStatement index(long version, StoredPartition stored) {
        ViewPartition partition = stored.partition();
        return insertPartition.bind(version, partition.productId(), partition.granularity().label(), partition.start(), stored.storedIn(),
                stored.hasOverlay() ? stored.overlayIn() : null);
    }

    /** An index entry of a version; one written before versions shared partitions holds the version's own rows. */
    private static StoredPartition stored(long version, String productId, Row row) {
        ViewPartition partition = new ViewPartition(productId, Granularity.parse(row.getString("granularity")), row.getInstant("partition_start"));
        return new StoredPartition(partition, row.isNull(ViewSchema.STORED_IN) ? version : row.getLong(ViewSchema.STORED_IN),
                row.isNull(ViewSchema.OVERLAY_IN) ? StoredPartition.NO_OVERLAY : row.getLong(ViewSchema.OVERLAY_IN));
    }

    @Override
    public Set<String> products(long version) {
        return new TreeSet<>(DriverCalls.query(session, selectProducts.bind(version), "list products of version " + version,
                row -> row.getString("product_id")));
    }

    @Override
    public List<String> products(long version, String prefix, int limit) {
        // Product ids are ASCII (the event contract), so every id with the prefix sorts below prefix + U+FFFF.
        return DriverCalls.query(session, selectProductsByPrefix.bind(version, prefix, prefix + '\uffff', limit),
                "list products of version " + version + " starting with " + prefix, row -> row.getString("product_id"));
    }

    @Override
    public BatchLease takeLease(String holder, Instant now, Duration ttl) {
        BatchLease lease = new BatchLease(holder, now);
        Row result = DriverCalls.execute(session, insertLease.bind(SCOPE, holder, now, now, ttlSeconds(ttl)),
                "take the batch lease").one();
        if (result != null && result.getBoolean("[applied]")) {
            return lease;
        }
        if (result != null && holder.equals(result.getString("holder"))) {
            // A retried insert of our own that had applied.
            return new BatchLease(holder, result.getInstant("since"));
        }
        throw new BatchLeaseHeldException(new BatchLease(
                result == null || result.getString("holder") == null ? "unknown" : result.getString("holder"),
                result == null || result.getInstant("since") == null ? Instant.EPOCH : result.getInstant("since")));
    }

    @Override
    public boolean renewLease(BatchLease lease, Instant now, Duration ttl) {
        Row result = DriverCalls.execute(session,
                renewLease.bind(ttlSeconds(ttl), lease.holder(), lease.since(), now, SCOPE, lease.holder()),
                "renew the batch lease").one();
        return result != null && result.getBoolean("[applied]");
    }

    @Override
    public void releaseLease(BatchLease lease) {
        Row result = DriverCalls.execute(session, deleteLease.bind(SCOPE, lease.holder()), "release the batch lease").one();
        if (result != null && result.getBoolean("[applied]")) {
            LOG.info("Released the batch lease of {}", lease.holder());
        }
    }

    @Override
    public void recordBuild(BatchBuild build) {
        DriverCalls.execute(session, insertBuild.bind(SCOPE, build.version(), build.kind().name().toLowerCase(java.util.Locale.ROOT),
                build.baseVersion(), build.rulesVersion(), build.views(), build.basis(), build.lastFullAt()),
                "record how batch version " + build.version() + " was built");
    }

    @Override
    public Optional<BatchBuild> build(long version) {
        return DriverCalls.query(session, selectBuild.bind(SCOPE, version), "read how batch version " + version + " was built",
                row -> new BatchBuild(version, BatchBuild.Kind.valueOf(row.getString("kind").toUpperCase(java.util.Locale.ROOT)),
                        row.getLong("base_version"), row.getInt("rules_version"), row.getString("views"), row.getString("basis"),
                        row.getInstant("last_full_at")))
                .stream().findFirst();
    }

    @Override
    public void recordHoles(List<IngestHole> holes) {
        for (IngestHole hole : holes) {
            DriverCalls.execute(session, insertHole.bind(SCOPE, hole.layer(), hole.partition(), hole.fromOffset(), hole.toOffset(),
                    hole.fromIngest(), hole.toIngest()), "record hole " + hole);
        }
    }

    @Override
    public List<IngestHole> holes() {
        return DriverCalls.query(session, selectHoles.bind(SCOPE), "list holes", row -> new IngestHole(row.getString("layer"),
                row.getInt("partition"), row.getLong("from_offset"), row.getLong("to_offset"), row.getInstant("from_ingest"),
                row.getInstant("to_ingest")));
    }

    /**
     * A batch row's aggregate: the exact duration sum, or the 64-bit one of a row written before it existed; the
     * sketches, or none for a row of a version computed before they were kept.
     */
    static Metrics metrics(Row row) {
        long count = row.getLong("event_count");
        if (count == 0) {
            return Metrics.EMPTY;
        }
        BigInteger total = row.getBigInteger(ViewSchema.DURATION_TOTAL);
        return new Metrics(count, row.getBigDecimal("revenue"), total != null ? total : BigInteger.valueOf(row.getLong("duration_sum_ms")),
                SketchColumns.read(row));
    }

    private Optional<BatchVersion> find(long version) {
        return versions().stream().filter(candidate -> candidate.version() == version).findFirst();
    }

    /** Points readers at the version if the pointer shows {@code expected}; a timed-out attempt is settled by reading. */
    private void movePointer(BatchVersion target, long expected, String what) {
        com.datastax.oss.driver.api.core.cql.BoundStatement cas = expected == NO_VERSION
                ? createPointer.bind(SCOPE, target.version(), target.cutoff(), target.computedAt(), target.publishedAt(),
                        target.viewRows(), target.eventCount())
                : movePointer.bind(target.version(), target.cutoff(), target.computedAt(), target.publishedAt(),
                        target.viewRows(), target.eventCount(), SCOPE, expected);
        Row result;
        try {
            result = DriverCalls.execute(session, cas, what).one();
        }
        catch (ViewStoreException e) {
            // The outcome of a timed-out Paxos round is unknown until read.
            if (current().map(BatchVersion::version).orElse(NO_VERSION) == target.version()) {
                return;
            }
            throw e;
        }
        if (result == null || !result.getBoolean("[applied]")) {
            Object actual = result == null || result.isNull("version") ? "no version" : "version " + result.getLong("version");
            throw new BatchPointerMovedException("Cannot " + what + ": the pointer shows " + actual + ", not "
                    + (expected == NO_VERSION ? "no version" : "version " + expected) + " (another writer moved it)");
        }
    }

    private static int ttlSeconds(Duration ttl) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, ttl.toSeconds()));
    }

    /**
     * Removes a version's records, index and the rows it reads that no version in {@code remaining} reads too: its own
     * rows unless a newer version shares them, and rows it shared from an older one that no other version shares.
     */
    private void remove(long version, Set<Long> remaining) {
        BoundedWrites deletes = new BoundedWrites(session, limits.maxInFlight(), limits.maxAttempts(), limits.firstBackoff());
        List<String> products = List.copyOf(products(version));
        long kept = 0;
        for (int from = 0; from < products.size(); from += PRODUCTS_READ_TOGETHER) {
            List<String> chunk = products.subList(from, Math.min(products.size(), from + PRODUCTS_READ_TOGETHER));
            Set<RowSet> stillRead = new HashSet<>();
            for (long other : remaining) {
                layouts(other, chunk).values().forEach(layout -> layout.forEach(stored -> stillRead.addAll(RowSet.of(stored))));
            }
            for (List<StoredPartition> layout : layouts(version, chunk).values()) {
                for (StoredPartition stored : layout) {
                    for (RowSet rows : RowSet.of(stored)) {
                        if (stillRead.contains(rows)) {
                            kept++;
                            continue;
                        }
                        ViewPartition partition = rows.partition();
                        deletes.submit(deleteRows.bind(rows.version(), partition.productId(), partition.granularity().label(), partition.start()),
                                "delete rows of version " + rows.version());
                    }
                }
            }
        }
        deletes.awaitAll();
        for (String product : products) {
            deletes.submit(deletePartitions.bind(version, product), "delete partition index of version " + version);
        }
        deletes.awaitAll();
        DriverCalls.execute(session, deleteProducts.bind(version), "delete products of version " + version);
        DriverCalls.execute(session, deleteBuild.bind(SCOPE, version), "delete the build record of batch version " + version);
        DriverCalls.execute(session, deleteVersion.bind(SCOPE, version), "delete batch version " + version);
        LOG.info("Removed batch version {} ({} products; the rows of {} partitions kept, another version reads them)", version, products.size(), kept);
    }

    /** The rows one version wrote in one partition: whole, or an overlay; what retention keeps or deletes. */
    private record RowSet(ViewPartition partition, long version) {
        static List<RowSet> of(StoredPartition stored) {
            return stored.hasOverlay()
                    ? List.of(new RowSet(stored.partition(), stored.storedIn()), new RowSet(stored.partition(), stored.overlayIn()))
                    : List.of(new RowSet(stored.partition(), stored.storedIn()));
        }
    }

    private static BatchVersion version(Row row) {
        return new BatchVersion(row.getLong("version"), row.getInstant("cutoff"), row.getInstant("computed_at"),
                row.getInstant("published_at"), row.getLong("view_rows"), row.getLong("event_count"));
    }

    /**
     * Writes rows grouped by their Cassandra partition: up to {@link WriteLimits#rowsPerBatch} rows of one partition
     * go in one unlogged batch, which Cassandra applies as one mutation (no batch log; a single-partition batch is
     * atomic and isolated, and it is not subject to the multi-partition batch size limits). The batch is routed by
     * its first statement's routing key to a replica of that partition (the driver's default load balancing policy
     * is token-aware). Rows wait in a buffer per partition until it is full; once {@code maxInFlight × rowsPerBatch}
     * rows wait in all buffers together, every buffer is sent, so memory stays bounded when a task's rows are spread
     * over many partitions. Every write is an idempotent upsert, retried like a single row.
     */
    private final class Writer implements BatchViewWriter {

        private final long version;
        private final boolean indexing;
        private final BoundedWrites writes;
        private final int rowsPerBatch;
        private final int maxBuffered;
        private final Map<String, List<BoundStatement>> buffered = new HashMap<>();
        private final Set<String> partitionsSeen = new HashSet<>();
        private final Set<String> productsSeen = new HashSet<>();
        private int bufferedRows;
        private long rowsSubmitted;

        /** @param indexing whether to index the partitions and products written ({@link #writer}), or only write rows ({@link #rowWriter}) */
        Writer(long version, boolean indexing) {
            this.version = version;
            this.indexing = indexing;
            this.writes = new BoundedWrites(session, limits.maxInFlight(), limits.maxAttempts(), limits.firstBackoff());
            this.rowsPerBatch = limits.rowsPerBatch();
            this.maxBuffered = Math.max(rowsPerBatch, limits.maxInFlight() * rowsPerBatch);
        }

        @Override
        public void write(ViewRow row) {
            ViewKey key = row.key();
            Granularity granularity = key.window().granularity();
            Instant partition = PartitionSpan.partitionStart(granularity, key.window().start());
            if (indexing && productsSeen.add(key.productId())) {
                writes.submit(insertProduct.bind(version, key.productId()), "index product " + key.productId());
            }
            String partitionKey = key.productId() + "/" + granularity.label() + "/" + partition.toEpochMilli();
            if (indexing && partitionsSeen.add(partitionKey)) {
                writes.submit(index(version, new StoredPartition(new ViewPartition(key.productId(), granularity, partition), version)),
                        "index partition of " + key.productId());
            }
            Metrics metrics = row.metrics();
            BoundStatement insert = insertRow.boundStatementBuilder()
                    .setLong(0, version)
                    .setString(1, key.productId())
                    .setString(2, granularity.label())
                    .setInstant(3, partition)
                    .setInstant(4, key.window().start())
                    .setLong(5, metrics.eventCount())
                    .setBigDecimal(6, metrics.revenue())
                    .setBigInteger(7, metrics.durationSumMs())
                    .setByteBuffer(8, SketchColumns.users(metrics.sketches()))
                    .setByteBuffer(9, SketchColumns.durations(metrics.sketches()))
                    .build();
            rowsSubmitted++;
            if (rowsPerBatch == 1) {
                writes.submit(insert, "batch row of " + key.productId());
                return;
            }
            List<BoundStatement> rows = buffered.computeIfAbsent(partitionKey, k -> new ArrayList<>(rowsPerBatch));
            rows.add(insert);
            bufferedRows++;
            if (rows.size() >= rowsPerBatch) {
                buffered.remove(partitionKey);
                send(partitionKey, rows);
            }
            else if (bufferedRows >= maxBuffered) {
                sendAll();
            }
        }

        @Override
        public long rowCount() {
            return rowsSubmitted;
        }

        @Override
        public void close() {
            sendAll();
            writes.awaitAll();
            LOG.debug("Wrote {} rows of batch version {} ({} retries)", rowsSubmitted, version, writes.retries());
        }

        private void sendAll() {
            buffered.forEach(this::send);
            buffered.clear();
        }

        private void send(String partitionKey, List<BoundStatement> rows) {
            bufferedRows -= rows.size();
            Statement<?> statement = rows.size() == 1
                    ? rows.get(0)
                    : BatchStatement.newInstance(BatchType.UNLOGGED, rows.toArray(new BoundStatement[0]));
            writes.submit(statement, rows.size() + " batch rows of " + partitionKey);
        }
    }
}
