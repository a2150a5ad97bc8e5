package io.lambdaplatform.it.serving;

import io.lambdaplatform.model.Event;
import io.lambdaplatform.model.EventWindow;
import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.model.IngestBuckets;
import io.lambdaplatform.model.Metrics;
import io.lambdaplatform.model.ViewKey;
import io.lambdaplatform.viewstore.SpeedDelta;
import io.lambdaplatform.viewstore.ViewRow;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Valid events with the time the broker appended them, and what the two layers make of them: the
 * batch view of the events ingested before a cutoff, and the speed rows of every event per 5-minute
 * window and 1-minute ingest bucket. The speed and batch layers are built in parallel by others, so
 * these tests write their rows through the view store as those layers do.
 */
final class EventHistory {

    record Ingested(Event event, Instant ingestTime) {}

    private final List<Ingested> events = new ArrayList<>();

    EventHistory add(String eventId, String product, String eventTime, String ingestTime, String revenue, long durationMs) {
        events.add(new Ingested(new Event(eventId, product, null, new BigDecimal(revenue), durationMs, Instant.parse(eventTime)),
                Instant.parse(ingestTime)));
        return this;
    }

    /** Events spread over {@code hours} hours before {@code end}, some ingested up to two hours late, refunds included. */
    static EventHistory synthetic(String product, Instant end, int hours, int count) {
        EventHistory history = new EventHistory();
        long span = hours * 3600L;
        for (int i = 0; i < count; i++) {
            Instant eventTime = end.minusSeconds(span).plusSeconds(i * span / count + (i * 7L) % 60);
            long lateness = i % 5 == 0 ? (i * 977L) % 7200 : (i * 13L) % 50;
            Instant ingestTime = eventTime.plusSeconds(lateness);
            if (ingestTime.isAfter(end)) {
                ingestTime = end.minusSeconds(1);
            }
            long cents = (i * 7919L) % 20_000 - 2_000;
            history.add("e-" + i, product, eventTime.toString(), ingestTime.toString(), BigDecimal.valueOf(cents, 2).toPlainString(),
                    (i * 37L) % 5_000);
        }
        return history;
    }

    /** The rows a batch run with this cutoff publishes: every granularity, events ingested before the cutoff. */
    List<ViewRow> batchRows(Instant cutoff) {
        Map<ViewKey, Metrics> rows = new TreeMap<>();
        for (Ingested ingested : events) {
            if (ingested.ingestTime().isBefore(cutoff)) {
                for (ViewKey key : ViewKey.allOf(ingested.event())) {
                    rows.merge(key, Metrics.of(ingested.event()), Metrics::merge);
                }
            }
        }
        return rows.entrySet().stream().map(entry -> new ViewRow(entry.getKey(), entry.getValue())).toList();
    }

    long countIngestedBefore(Instant cutoff) {
        return events.stream().filter(ingested -> ingested.ingestTime().isBefore(cutoff)).count();
    }

    /** The speed layer's rows: absolute aggregates per (5-minute window, ingest bucket). */
    List<SpeedDelta> speedRows(IngestBuckets buckets) {
        Map<String, SpeedDelta> rows = new TreeMap<>();
        for (Ingested ingested : events) {
            ViewKey key = ViewKey.of(ingested.event(), Granularity.FIVE_MINUTES);
            Instant bucket = buckets.bucketStart(ingested.ingestTime());
            String id = key.productId() + "/" + key.window().start() + "/" + bucket;
            SpeedDelta previous = rows.get(id);
            Metrics metrics = (previous == null ? Metrics.EMPTY : previous.metrics()).merge(Metrics.of(ingested.event()));
            rows.put(id, new SpeedDelta(key, bucket, metrics));
        }
        return List.copyOf(rows.values());
    }

    /**
     * The exact answer: every event of the product, per window of this size starting in [from, to); its exact measures
     * only, as {@link ServingFixture#windows} reads them from an answer.
     */
    Map<EventWindow, Metrics> expected(String product, Granularity granularity, Instant from, Instant to) {
        Map<EventWindow, Metrics> expected = new TreeMap<>();
        for (Ingested ingested : events) {
            ViewKey key = ViewKey.of(ingested.event(), granularity);
            if (key.productId().equals(product) && !key.window().start().isBefore(from) && key.window().start().isBefore(to)) {
                expected.merge(key.window(), Metrics.of(ingested.event()).withSketches(null), Metrics::merge);
            }
        }
        return expected;
    }
}
