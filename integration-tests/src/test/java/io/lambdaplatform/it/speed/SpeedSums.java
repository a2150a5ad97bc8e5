package io.lambdaplatform.it.speed;

import io.lambdaplatform.viewstore.SpeedDelta;
import io.lambdaplatform.viewstore.SpeedViews;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The truth of the speed ITs, computed from what was sent and acknowledged, in plain Java and on purpose
 * without the platform's window arithmetic or aggregate: the first acknowledged copy of each (product, event
 * id) counts, 5-minute windows by integer division of epoch milliseconds. Thread-safe.
 */
final class SpeedSums {

    private static final long WINDOW_MILLIS = Duration.ofMinutes(5).toMillis();

    record Sent(String productId, String eventId, long revenueCents, long durationMs, Instant eventTime) {
        byte[] json() {
            return ("{\"event_id\":\"" + eventId + "\",\"product_id\":\"" + productId + "\",\"revenue\":\""
                    + BigDecimal.valueOf(revenueCents, 2).toPlainString() + "\",\"duration_ms\":" + durationMs
                    + ",\"event_time\":\"" + eventTime + "\"}").getBytes(StandardCharsets.UTF_8);
        }

        byte[] key() {
            return productId.getBytes(StandardCharsets.UTF_8);
        }
    }

    private final Map<String, Sent> firstCopies = new ConcurrentHashMap<>();

    /** A copy was acknowledged by the broker. All copies of an event carry the same values, so which is first does not matter. */
    void acknowledged(Sent event) {
        firstCopies.putIfAbsent(event.productId() + "/" + event.eventId(), event);
    }

    int events() {
        return firstCopies.size();
    }

    /** "product window" → "count events, revenue, duration ms" of the truth. */
    Map<String, String> expected() {
        Map<String, long[]> sums = new TreeMap<>();
        for (Sent event : firstCopies.values()) {
            long window = Math.floorDiv(event.eventTime().toEpochMilli(), WINDOW_MILLIS) * WINDOW_MILLIS;
            long[] sum = sums.computeIfAbsent(event.productId() + " " + Instant.ofEpochMilli(window), k -> new long[3]);
            sum[0]++;
            sum[1] += event.revenueCents();
            sum[2] += event.durationMs();
        }
        return format(sums);
    }

    /** The same, read from the speed rows (every source partition and correction summed) of every product sent. */
    Map<String, String> actual(SpeedViews views) {
        Collection<Sent> sent = firstCopies.values();
        Instant earliest = sent.stream().map(Sent::eventTime).min(Instant::compareTo).orElseThrow().minus(Duration.ofHours(1));
        Instant latest = sent.stream().map(Sent::eventTime).max(Instant::compareTo).orElseThrow().plus(Duration.ofHours(1));
        Set<String> products = new TreeSet<>();
        sent.forEach(event -> products.add(event.productId()));
        Map<String, long[]> sums = new TreeMap<>();
        for (String product : products) {
            for (SpeedDelta delta : views.read(product, earliest, latest)) {
                long[] sum = sums.computeIfAbsent(product + " " + delta.key().window().start(), k -> new long[3]);
                sum[0] += delta.metrics().eventCount();
                sum[1] += delta.metrics().revenue().movePointRight(2).longValueExact();
                sum[2] += delta.metrics().durationSumMs().longValueExact();
            }
        }
        return format(sums);
    }

    private static Map<String, String> format(Map<String, long[]> sums) {
        Map<String, String> formatted = new TreeMap<>();
        sums.forEach((key, value) -> formatted.put(key, value[0] + " events, " + BigDecimal.valueOf(value[1], 2) + ", " + value[2] + " ms"));
        return formatted;
    }
}
