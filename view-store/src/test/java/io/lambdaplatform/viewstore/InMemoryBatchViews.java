package io.lambdaplatform.viewstore;

import io.lambdaplatform.model.Granularity;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** A hand-written {@link BatchViews} in memory, for unit tests of the layers. Thread-safe. */
public final class InMemoryBatchViews implements BatchViews {

    private final Map<Long, BatchVersion> versions = new TreeMap<>(Comparator.reverseOrder());
    private final Map<Long, List<ViewRow>> rows = new TreeMap<>();
    private BatchVersion pointer;

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
        return version;
    }

    @Override
    public BatchViewWriter writer(long version) {
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
    public synchronized BatchVersion publish(long version, long viewRows, long eventCount, Instant publishedAt) {
        BatchVersion writing = versions.get(version);
        if (writing == null) {
            throw new ViewStoreException("Cannot publish batch version " + version + ": it was never begun");
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
        if (pointer != null) {
            kept.add(pointer.version());
        }
        versions.values().stream().filter(BatchVersion::isPublished).limit(keep).forEach(version -> kept.add(version.version()));
        long newestPublished = versions.values().stream().filter(BatchVersion::isPublished)
                .mapToLong(BatchVersion::version).max().orElse(0);
        List<BatchVersion> removed = new ArrayList<>();
        for (BatchVersion version : List.copyOf(versions.values())) {
            boolean obsolete = version.isPublished() ? !kept.contains(version.version()) : version.version() < newestPublished;
            if (obsolete) {
                versions.remove(version.version());
                rows.remove(version.version());
                removed.add(version);
            }
        }
        return removed;
    }

    @Override
    public synchronized List<ViewRow> read(long version, String productId, Granularity granularity, Instant from, Instant to) {
        return rows.getOrDefault(version, List.of()).stream()
                .filter(row -> row.key().productId().equals(productId))
                .filter(row -> row.key().window().granularity() == granularity)
                .filter(row -> !row.key().window().start().isBefore(from) && row.key().window().start().isBefore(to))
                .sorted(Comparator.comparing(ViewRow::key))
                .toList();
    }

    @Override
    public synchronized Set<String> products(long version) {
        Set<String> products = new TreeSet<>();
        rows.getOrDefault(version, List.of()).forEach(row -> products.add(row.key().productId()));
        return products;
    }
}
