package io.lambdaplatform.serving;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.lambdaplatform.model.EventWindow;
import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.model.IngestBuckets;
import io.lambdaplatform.model.Metrics;
import io.lambdaplatform.viewstore.SpeedDelta;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * The speed rows that no later write can change, rolled up to each granularity and kept in memory, so that an answer
 * reads from Cassandra, and merges, only the rows of the last ingest buckets.
 *
 * <p>A speed row of ingest bucket {@code b} is <em>sealed</em> once the watermark {@code W} of a state the answer needs
 * nothing missing under (no gap: every partition covered from the cutoff on, no hole, the previous release's rows copied)
 * is at or past the bucket's end: every event ingested before {@code W} is in the rows, and nothing later changes them
 * — a correction takes back a counted copy when an earlier copy arrives, and an unread copy's ingest time is at or after
 * its partition's watermark, so both lie in buckets the watermark has not passed; a stale writer's rows carry lower
 * versions and lose. The rows are read after the state, so those of the buckets before {@code bucketStart(W)} are final.
 *
 * <p>Per question's views, product, granularity and first ingest bucket that counts (the batch cutoff), this keeps the
 * rows of the buckets from the cutoff up to a sealed point, merged per window of the granularity ({@link Metrics#mergeAll},
 * the merge every answer uses). A read takes them and reads from Cassandra only the rows from the sealed point on;
 * when the state's sealed point is later, the rows read up to it are merged into the next entry. Answers stay what they
 * were: every window is the same sum of the same rows, only added up in another grouping (the measures exactly; the
 * sketches are unions, whose estimates do not depend on the grouping beyond their stated error).
 *
 * <p>Bounded by the heap the windows take ({@code lambda.serving.speed-cache.max-bytes}); 0 keeps nothing and reads only
 * the range's rows, as without it. Thread-safe: concurrent reads may each extend an entry; the furthest one stays.
 */
public final class SealedSpeedRows {

    /** Every event-time window: what a read to extend an entry takes, whatever the question's range. */
    private static final Instant ALL_FROM = Instant.EPOCH;
    private static final Instant ALL_TO = Instant.parse("+10000-01-01T00:00:00Z");
    /** Entries of a cutoff no answer asks for any more (after a new batch version) leave this long after their last use. */
    static final Duration IDLE = Duration.ofMinutes(10);

    /** Which rows an entry holds: those of {@code views}, {@code productId} from the ingest bucket {@code ingestFrom}, at {@code granularity}. */
    record Key(ViewsUsed views, String productId, Granularity granularity, Instant ingestFrom) {
        Key {
            requireNonNull(views, "views is null");
            requireNonNull(productId, "productId is null");
            requireNonNull(granularity, "granularity is null");
            requireNonNull(ingestFrom, "ingestFrom is null");
        }
    }

    /** The rows of one window merged: their metrics and how many rows went in. */
    record Rolled(EventWindow window, Metrics metrics, int rows) {}

    /** Reads a product's speed rows with event-time windows in {@code [from, to)} and ingest bucket at or after {@code ingestFrom}. */
    @FunctionalInterface
    interface Reader {
        List<SpeedDelta> read(Instant from, Instant to, Instant ingestFrom);
    }

    /**
     * What an answer merges from the speed layer: the sealed windows of its range, and the rows read afresh (those of the
     * range when nothing was sealed, else of every window: the merge takes the range's).
     */
    record Part(List<Rolled> sealed, List<SpeedDelta> rows) {
        static Part unsealed(List<SpeedDelta> rows) {
            return new Part(List.of(), rows);
        }
    }

    /** The rows of ingest buckets in {@code [key.ingestFrom, until)}, merged per window; never changed once made. */
    private record Sealed(Instant until, NavigableMap<Instant, Rolled> windows, long bytes) {

        Sealed plus(List<SpeedDelta> rows, Granularity granularity, Instant newUntil) {
            Map<Instant, List<Metrics>> added = new TreeMap<>();
            for (SpeedDelta row : rows) {
                added.computeIfAbsent(row.key().window().rollUp(granularity).start(), ignored -> new ArrayList<>()).add(row.metrics());
            }
            NavigableMap<Instant, Rolled> next = new TreeMap<>(windows);
            long nextBytes = bytes;
            for (Map.Entry<Instant, List<Metrics>> entry : added.entrySet()) {
                Rolled before = next.get(entry.getKey());
                List<Metrics> parts = entry.getValue();
                int count = parts.size() + (before == null ? 0 : before.rows());
                if (before != null) {
                    parts.add(0, before.metrics());
                    nextBytes -= BatchRowCache.weight(before.metrics());
                }
                Metrics merged = Metrics.mergeAll(parts);
                next.put(entry.getKey(), new Rolled(new EventWindow(granularity, entry.getKey()), merged, count));
                nextBytes += BatchRowCache.weight(merged);
            }
            return new Sealed(newUntil, Collections.unmodifiableNavigableMap(next), nextBytes);
        }
    }

    private final Cache<Key, Sealed> entries;
    private final IngestBuckets buckets;
    private final boolean enabled;

    /**
     * @param maxBytes heap the sealed windows may take; 0 keeps none
     * @param buckets  how ingest time is cut into buckets ({@code lambda.ingest.bucket-width}, as the speed layer cuts it)
     */
    public SealedSpeedRows(long maxBytes, IngestBuckets buckets) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must not be negative: " + maxBytes);
        }
        this.buckets = requireNonNull(buckets, "buckets is null");
        this.enabled = maxBytes > 0;
        this.entries = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .<Key, Sealed>weigher((key, sealed) -> (int) Math.min(Integer.MAX_VALUE, sealed.bytes()))
                .expireAfterAccess(IDLE)
                .recordStats()
                .build();
    }

    /** Reports hits, misses, evictions and size as {@code cache.*{cache=speed-rows}}. */
    public SealedSpeedRows bindTo(MeterRegistry meters) {
        CaffeineCacheMetrics.monitor(meters, entries, "speed-rows");
        return this;
    }

    /**
     * The speed part of an answer over {@code range}.
     *
     * @param watermark the watermark of a state under which the answer misses nothing from {@code key.ingestFrom} on (no
     *                  gap), or empty: then nothing is sealed, and the rows kept under earlier states are not used either
     * @param reader    reads the rows from Cassandra
     */
    Part read(Key key, WindowRange range, Optional<Instant> watermark, Reader reader) {
        if (!enabled || watermark.isEmpty()) {
            return Part.unsealed(reader.read(range.from(), range.to(), key.ingestFrom()));
        }
        Instant sealUntil = buckets.bucketStart(watermark.get());
        Sealed kept = entries.getIfPresent(key);
        Instant readFrom = kept == null ? key.ingestFrom() : kept.until();
        if (kept == null && !sealUntil.isAfter(readFrom)) {
            // Nothing sealed yet (the cutoff is in the watermark's bucket): read as without this.
            return Part.unsealed(reader.read(range.from(), range.to(), key.ingestFrom()));
        }
        List<SpeedDelta> rows = reader.read(ALL_FROM, ALL_TO, readFrom);
        Sealed sealed = kept == null ? new Sealed(key.ingestFrom(), Collections.emptyNavigableMap(), 0) : kept;
        List<SpeedDelta> live = rows;
        if (sealUntil.isAfter(sealed.until())) {
            List<SpeedDelta> newlySealed = new ArrayList<>();
            live = new ArrayList<>();
            for (SpeedDelta row : rows) {
                (row.ingestBucket().isBefore(sealUntil) ? newlySealed : live).add(row);
            }
            sealed = sealed.plus(newlySealed, key.granularity(), sealUntil);
            entries.asMap().merge(key, sealed, (held, made) -> held.until().isAfter(made.until()) ? held : made);
        }
        return new Part(List.copyOf(sealed.windows().subMap(range.from(), true, range.to(), false).values()), live);
    }

    /** Entries held now (after pending evictions); for tests. */
    long size() {
        entries.cleanUp();
        return entries.estimatedSize();
    }
}
