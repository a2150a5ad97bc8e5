package io.lambdaplatform.it.exactness;

import io.lambdaplatform.model.RejectionReason;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What every answer must be, computed from exactly what was sent and acknowledged, in plain Java and on purpose
 * without the platform's own window arithmetic or aggregate: the first copy of each (product id, event id) counts,
 * windows are UTC-aligned by integer division of epoch milliseconds.
 *
 * <p>When told where each record landed ({@link #valid(SentEvent, int, long)}), it also knows each event's ingest time in
 * the platform's sense — the running maximum of LogAppendTime over its partition — and so how many events an answer
 * must hold at least, given its speed watermark ({@link #countIngestedBefore}), and at most, given what was sent so far
 * ({@link #sentCount}).
 */
public final class Truth {

    /** The three granularities by their API label and width in milliseconds. */
    public static final Map<String, Long> GRANULARITIES = new LinkedHashMap<>();

    static {
        GRANULARITIES.put("5m", 5 * 60_000L);
        GRANULARITIES.put("1h", 3_600_000L);
        GRANULARITIES.put("1d", 86_400_000L);
    }

    /** @param userId {@code null} when the event names no user */
    public record SentEvent(String productId, String eventId, String userId, BigDecimal revenue, long durationMs, Instant eventTime) {}

    /** What a window's sketches estimate, exactly: its distinct users and its durations, sorted. */
    public record SketchTruth(Set<String> users, long[] durations) {

        /** The fraction of the window's durations below {@code value} ({@code inclusive}: at or below). */
        public double rank(long value, boolean inclusive) {
            int count = 0;
            for (long duration : durations) {
                if (duration < value || inclusive && duration == value) {
                    count++;
                }
            }
            return count / (double) durations.length;
        }
    }

    private final long maxDurationMs;
    private final Map<String, SentEvent> firstCopies = new LinkedHashMap<>();
    private final Map<String, Long> invalidByReason = new TreeMap<>();
    private final Map<String, Instant> firstIngest = new HashMap<>();
    private final Map<Integer, Long> partitionClock = new HashMap<>();
    private final Map<String, Set<String>> sentByProduct = new HashMap<>();
    private long duplicatesSent;

    /** The truth of the event contract's rules. */
    public Truth() {
        this(Long.MAX_VALUE);
    }

    /**
     * The truth of the contract's rules and {@code lambda.rules.max-duration}: an event that lasted longer is a dead letter
     * of reason {@code rule}, as a set of views replayed under that rule counts it.
     */
    public Truth(long maxDurationMs) {
        this.maxDurationMs = maxDurationMs;
    }

    public synchronized void valid(SentEvent event) {
        if (event.durationMs() > maxDurationMs) {
            invalid(RejectionReason.RULE.code());
            return;
        }
        if (firstCopies.putIfAbsent(identity(event.productId(), event.eventId()), event) != null) {
            duplicatesSent++;
        }
    }

    /** A valid copy acknowledged in {@code partition} with LogAppendTime {@code appendMillis}, in the partition's offset order. */
    public synchronized void valid(SentEvent event, int partition, long appendMillis) {
        if (event.durationMs() > maxDurationMs) {
            invalid(RejectionReason.RULE.code(), partition, appendMillis);
            return;
        }
        firstIngest.putIfAbsent(identity(event.productId(), event.eventId()), Instant.ofEpochMilli(ingest(partition, appendMillis)));
        valid(event);
    }

    public synchronized void invalid(String reasonCode) {
        invalidByReason.merge(reasonCode, 1L, Long::sum);
    }

    /** An invalid record acknowledged in {@code partition}: it moves the partition's ingest clock too. */
    public synchronized void invalid(String reasonCode, int partition, long appendMillis) {
        ingest(partition, appendMillis);
        invalid(reasonCode);
    }

    /** An event about to be sent, acknowledged or not: an answer may hold it from now on. */
    public synchronized void sending(String productId, String eventId) {
        sentByProduct.computeIfAbsent(productId, product -> new HashSet<>()).add(eventId);
    }

    /** Distinct events of the product sent so far: no answer may hold more. */
    public synchronized long sentCount(String productId) {
        return sentByProduct.getOrDefault(productId, Set.of()).size();
    }

    /** Distinct events of the product whose first copy was ingested before {@code watermark}: an answer must hold them all. */
    public synchronized long countIngestedBefore(String productId, Instant watermark) {
        return firstCopies.entrySet().stream()
                .filter(entry -> entry.getValue().productId().equals(productId))
                .map(entry -> firstIngest.get(entry.getKey()))
                .filter(ingest -> ingest != null && ingest.isBefore(watermark))
                .count();
    }

    private long ingest(int partition, long appendMillis) {
        return partitionClock.merge(partition, appendMillis, Math::max);
    }

    private static String identity(String productId, String eventId) {
        return productId + "\u0000" + eventId;
    }

    public synchronized long invalidCount() {
        return invalidByReason.values().stream().mapToLong(Long::longValue).sum();
    }

    public synchronized Map<String, Long> invalidByReason() {
        return new TreeMap<>(invalidByReason);
    }

    public synchronized long eventCount() {
        return firstCopies.size();
    }

    public synchronized long duplicatesSent() {
        return duplicatesSent;
    }

    public synchronized List<SentEvent> events() {
        return new ArrayList<>(firstCopies.values());
    }

    public synchronized Set<String> products() {
        Set<String> products = new TreeSet<>();
        firstCopies.values().forEach(event -> products.add(event.productId()));
        return products;
    }

    public synchronized Instant earliest() {
        return firstCopies.values().stream().map(SentEvent::eventTime).min(Instant::compareTo).orElseThrow();
    }

    public synchronized Instant latest() {
        return firstCopies.values().stream().map(SentEvent::eventTime).max(Instant::compareTo).orElseThrow();
    }

    /**
     * Window start → {@code "<count> events, <revenue>, <duration sum> ms"} for one product and granularity,
     * windows without events left out, as the API leaves them out.
     */
    public synchronized Map<Instant, String> windows(String productId, String granularity) {
        long width = GRANULARITIES.get(granularity);
        Map<Instant, long[]> counts = new TreeMap<>();
        Map<Instant, BigDecimal> revenue = new TreeMap<>();
        for (SentEvent event : firstCopies.values()) {
            if (!event.productId().equals(productId)) {
                continue;
            }
            Instant start = Instant.ofEpochMilli(Math.floorDiv(event.eventTime().toEpochMilli(), width) * width);
            long[] sums = counts.computeIfAbsent(start, key -> new long[2]);
            sums[0]++;
            sums[1] += event.durationMs();
            revenue.merge(start, event.revenue(), BigDecimal::add);
        }
        Map<Instant, String> windows = new TreeMap<>();
        counts.forEach((start, sums) -> windows.put(start, describe(sums[0], revenue.get(start), sums[1])));
        return windows;
    }

    /** Window start → the distinct users and durations of the product's events in it, windows without events left out. */
    public synchronized Map<Instant, SketchTruth> sketches(String productId, String granularity) {
        long width = GRANULARITIES.get(granularity);
        Map<Instant, Set<String>> users = new TreeMap<>();
        Map<Instant, List<Long>> durations = new TreeMap<>();
        for (SentEvent event : firstCopies.values()) {
            if (!event.productId().equals(productId)) {
                continue;
            }
            Instant start = Instant.ofEpochMilli(Math.floorDiv(event.eventTime().toEpochMilli(), width) * width);
            Set<String> windowUsers = users.computeIfAbsent(start, key -> new HashSet<>());
            if (event.userId() != null) {
                windowUsers.add(event.userId());
            }
            durations.computeIfAbsent(start, key -> new ArrayList<>()).add(event.durationMs());
        }
        Map<Instant, SketchTruth> windows = new TreeMap<>();
        users.forEach((start, windowUsers) -> windows.put(start,
                new SketchTruth(windowUsers, durations.get(start).stream().mapToLong(Long::longValue).sorted().toArray())));
        return windows;
    }

    public static String describe(long count, BigDecimal revenue, long durationSumMs) {
        return count + " events, " + revenue.stripTrailingZeros().toPlainString() + ", " + durationSumMs + " ms";
    }
}
