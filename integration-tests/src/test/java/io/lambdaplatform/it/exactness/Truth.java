package io.lambdaplatform.it.exactness;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
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
 */
public final class Truth {

    /** The three granularities by their API label and width in milliseconds. */
    public static final Map<String, Long> GRANULARITIES = new LinkedHashMap<>();

    static {
        GRANULARITIES.put("5m", 5 * 60_000L);
        GRANULARITIES.put("1h", 3_600_000L);
        GRANULARITIES.put("1d", 86_400_000L);
    }

    public record SentEvent(String productId, String eventId, BigDecimal revenue, long durationMs, Instant eventTime) {}

    private final Map<String, SentEvent> firstCopies = new LinkedHashMap<>();
    private final Map<String, Long> invalidByReason = new TreeMap<>();
    private long duplicatesSent;

    public synchronized void valid(SentEvent event) {
        if (firstCopies.putIfAbsent(event.productId() + "\u0000" + event.eventId(), event) != null) {
            duplicatesSent++;
        }
    }

    public synchronized void invalid(String reasonCode) {
        invalidByReason.merge(reasonCode, 1L, Long::sum);
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

    public static String describe(long count, BigDecimal revenue, long durationSumMs) {
        return count + " events, " + revenue.stripTrailingZeros().toPlainString() + ", " + durationSumMs + " ms";
    }
}
