package io.lambdaplatform.viewstore;

import io.lambdaplatform.model.Granularity;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A hand-written {@link BatchViews} in memory, for unit tests of the layers. Thread-safe. The lease expires by
 * the instants its callers pass, like Cassandra's TTL does by its clock.
 */
public final class InMemoryBatchViews implements BatchViews {

    private final Map<Long, BatchVersion> versions = new TreeMap<>(Comparator.reverseOrder());
    /** The rows each version wrote itself: whole partitions, or overlays. */
    private final Map<Long, List<ViewRow>> rows = new TreeMap<>();
    /** Each version's partitions and where their rows are, as {@link CassandraBatchViews} indexes them. */
    private final Map<Long, Map<ViewPartition, StoredPartition>> index = new TreeMap<>();
    private final Map<String, IngestHole> holes = new TreeMap<>();
    private final Map<Long, BatchBuild> builds = new TreeMap<>();
    private BatchVersion pointer;
    private BatchLease lease;
    private Instant leaseExpires;

    @Override
    public synchronized Optional<BatchVersion> current() {
        return Optional.ofNullable(pointer);
    }

    @Override
    public synchronized List<BatchVersion> versions() {
        return List.copyOf(versions.values());
    }

    @Override
    public synchronized BatchVersion begin(Instant cutoff, Instant computedAt) {
        long next = versions.keySet().stream().mapToLong(Long::longValue).max().orElse(0) + 1;
        BatchVersion version = BatchVersion.writing(next, cutoff, computedAt);
        versions.put(next, version);
        rows.put(next, new ArrayList<>());
        index.put(next, new HashMap<>());
        return version;
    }

    @Override
    public BatchViewWriter writer(long version) {
        return writer(version, true);
    }

    @Override
    public BatchViewWriter rowWriter(long version) {
        return writer(version, false);
    }

    private BatchViewWriter writer(long version, boolean indexing) {
        return new BatchViewWriter() {
            private long count;

            @Override
            public void write(ViewRow row) {
                synchronized (InMemoryBatchViews.this) {
                    List<ViewRow> target = rows.get(version);
                    if (target == null) {
                        throw new ViewStoreException("Batch version " + version + " was never begun");
                    }
                    target.removeIf(existing -> existing.key().equals(row.key()));
                    target.add(row);
                    if (indexing) {
                        ViewPartition partition = ViewPartition.of(row.key());
                        index.get(version).put(partition, new StoredPartition(partition, version));
                    }
                    count++;
                }
            }

            @Override
            public long rowCount() {
                return count;
            }

            @Override
            public void close() {}
        };
    }

    @Override
    public synchronized BatchVersion publish(long version, long viewRows, long eventCount, Instant publishedAt, long expectedCurrent) {
        BatchVersion writing = versions.get(version);
        if (writing == null) {
            throw new ViewStoreException("Cannot publish batch version " + version + ": it was never begun");
        }
        long actual = pointer == null ? NO_VERSION : pointer.version();
        if (actual != expectedCurrent) {
            throw new BatchPointerMovedException("Cannot publish batch version " + version + ": the pointer shows version "
                    + actual + ", not " + expectedCurrent);
        }
        BatchVersion published = writing.withPublished(publishedAt, viewRows, eventCount);
        versions.put(version, published);
        pointer = published;
        return published;
    }

    @Override
    public synchronized Optional<BatchVersion> rollback() {
        if (pointer == null) {
            return Optional.empty();
        }
        long from = pointer.version();
        Optional<BatchVersion> previous = versions.values().stream()
                .filter(BatchVersion::isPublished)
                .filter(candidate -> candidate.version() < from)
                .findFirst();
        previous.ifPresent(target -> pointer = target);
        return previous;
    }

    @Override
    public synchronized List<BatchVersion> retainLatest(int keep) {
        if (keep < 1) {
            throw new IllegalArgumentException("Must keep at least one batch version: " + keep);
        }
        Set<Long> kept = new HashSet<>();
        long current = pointer == null ? NO_VERSION : pointer.version();
        versions.values().stream().filter(BatchVersion::isPublished).limit(keep).forEach(version -> kept.add(version.version()));
        List<BatchVersion> removed = new ArrayList<>();
        for (BatchVersion version : List.copyOf(versions.values())) {
            boolean obsolete = version.version() < current && !kept.contains(version.version());
            if (obsolete) {
                versions.remove(version.version());
                index.remove(version.version());
                builds.remove(version.version());
                removed.add(version);
            }
        }
        // The rows no version still stored reads: (partition, version that wrote them).
        Set<Map.Entry<ViewPartition, Long>> stillRead = new HashSet<>();
        index.values().forEach(layout -> layout.values().forEach(stored -> {
            stillRead.add(Map.entry(stored.partition(), stored.storedIn()));
            if (stored.hasOverlay()) {
                stillRead.add(Map.entry(stored.partition(), stored.overlayIn()));
            }
        }));
        rows.forEach((writtenBy, written) -> written.removeIf(row -> !stillRead.contains(Map.entry(ViewPartition.of(row.key()), writtenBy))));
        rows.keySet().removeIf(writtenBy -> !versions.containsKey(writtenBy) && rows.get(writtenBy).isEmpty());
        return removed;
    }

    @Override
    public synchronized void extend(long version, long base, Set<ViewPartition> touched) {
        Map<ViewPartition, StoredPartition> target = index.get(version);
        if (target == null) {
            throw new ViewStoreException("Batch version " + version + " was never begun");
        }
        index.getOrDefault(base, Map.of()).forEach((partition, stored) ->
                target.put(partition, touched.contains(partition) ? stored.overlaidBy(version) : stored));
        touched.forEach(partition -> target.putIfAbsent(partition, new StoredPartition(partition, version)));
    }

    @Override
    public synchronized List<ViewRow> changedOrAt(long version, Map<ViewPartition, ? extends Collection<Instant>> windows) {
        List<ViewRow> found = new ArrayList<>();
        windows.forEach((partition, at) -> {
            StoredPartition stored = index.getOrDefault(version, Map.of()).get(partition);
            if (stored == null) {
                return;
            }
            Map<Instant, ViewRow> byWindow = new TreeMap<>();
            rowsOf(partition, stored.storedIn()).stream().filter(row -> at.contains(row.key().window().start()))
                    .forEach(row -> byWindow.put(row.key().window().start(), row));
            if (stored.hasOverlay()) {
                rowsOf(partition, stored.overlayIn()).forEach(row -> byWindow.put(row.key().window().start(), row));
            }
            found.addAll(byWindow.values());
        });
        return found;
    }

    @Override
    public synchronized List<StoredPartition> partitions(long version, String productId, Granularity granularity) {
        return index.getOrDefault(version, Map.of()).values().stream()
                .filter(stored -> stored.partition().productId().equals(productId) && stored.partition().granularity() == granularity)
                .sorted(Comparator.comparing(stored -> stored.partition().start()))
                .toList();
    }

    @Override
    public synchronized List<ViewRow> read(StoredPartition stored, Instant from, Instant to) {
        Map<Instant, ViewRow> byWindow = new TreeMap<>();
        rowsOf(stored.partition(), stored.storedIn()).forEach(row -> byWindow.put(row.key().window().start(), row));
        if (stored.hasOverlay()) {
            rowsOf(stored.partition(), stored.overlayIn()).forEach(row -> byWindow.put(row.key().window().start(), row));
        }
        return byWindow.values().stream()
                .filter(row -> !row.key().window().start().isBefore(from) && row.key().window().start().isBefore(to))
                .toList();
    }

    @Override
    public synchronized List<ViewRow> rows(long version, Collection<String> productIds) {
        Set<String> wanted = Set.copyOf(productIds);
        List<ViewRow> found = new ArrayList<>();
        index.getOrDefault(version, Map.of()).values().stream()
                .filter(stored -> wanted.contains(stored.partition().productId()))
                .forEach(stored -> found.addAll(read(stored, Instant.MIN, Instant.MAX)));
        found.sort(Comparator.comparing(ViewRow::key));
        return found;
    }

    /** The rows {@code writtenBy} wrote in a partition. */
    private List<ViewRow> rowsOf(ViewPartition partition, long writtenBy) {
        return rows.getOrDefault(writtenBy, List.of()).stream().filter(row -> ViewPartition.of(row.key()).equals(partition)).toList();
    }

    @Override
    public synchronized void recordBuild(BatchBuild build) {
        if (!versions.containsKey(build.version())) {
            throw new ViewStoreException("Batch version " + build.version() + " was never begun");
        }
        builds.put(build.version(), build);
    }

    @Override
    public synchronized Optional<BatchBuild> build(long version) {
        return Optional.ofNullable(builds.get(version));
    }

    @Override
    public synchronized Set<String> products(long version) {
        Set<String> products = new TreeSet<>();
        index.getOrDefault(version, Map.of()).keySet().forEach(partition -> products.add(partition.productId()));
        return products;
    }

    @Override
    public synchronized BatchLease takeLease(String holder, Instant now, Duration ttl) {
        if (lease != null && leaseExpires.isAfter(now)) {
            throw new BatchLeaseHeldException(lease);
        }
        lease = new BatchLease(holder, now);
        leaseExpires = now.plus(ttl);
        return lease;
    }

    @Override
    public synchronized boolean renewLease(BatchLease mine, Instant now, Duration ttl) {
        if (lease == null || !lease.holder().equals(mine.holder()) || !leaseExpires.isAfter(now)) {
            return false;
        }
        leaseExpires = now.plus(ttl);
        return true;
    }

    @Override
    public synchronized void releaseLease(BatchLease mine) {
        if (lease != null && lease.holder().equals(mine.holder())) {
            lease = null;
            leaseExpires = null;
        }
    }

    @Override
    public synchronized void recordHoles(List<IngestHole> newHoles) {
        newHoles.forEach(hole -> holes.put(
                String.format(Locale.ROOT, "%s/%010d/%019d", hole.layer(), hole.partition(), hole.fromOffset()), hole));
    }

    @Override
    public synchronized List<IngestHole> holes() {
        return List.copyOf(holes.values());
    }
}
