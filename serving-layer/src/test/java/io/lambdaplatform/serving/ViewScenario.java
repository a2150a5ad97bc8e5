package io.lambdaplatform.serving;

import io.lambdaplatform.model.Event;
import io.lambdaplatform.model.EventWindow;
import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.model.IngestBuckets;
import io.lambdaplatform.model.Metrics;
import io.lambdaplatform.model.ViewKey;
import io.lambdaplatform.viewstore.BatchVersion;
import io.lambdaplatform.viewstore.BatchViewWriter;
import io.lambdaplatform.viewstore.InMemoryBatchViews;
import io.lambdaplatform.viewstore.InMemoryLegacySpeedRows;
import io.lambdaplatform.viewstore.InMemorySpeedViews;
import io.lambdaplatform.viewstore.SpeedDelta;
import io.lambdaplatform.viewstore.SpeedProgress;
import io.lambdaplatform.viewstore.SpeedRow;
import io.lambdaplatform.viewstore.SpeedRowsUpgrade;
import io.lambdaplatform.viewstore.ViewRow;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Events with their ingest times, and the views the batch and speed layers would hold for them,
 * written into the in-memory fakes the way the layers write them: the batch view aggregates the
 * events ingested before the cutoff at every granularity, the speed layer aggregates every event per
 * (5-minute window, 1-minute ingest bucket).
 */
final class ViewScenario {

    record Ingested(Event event, Instant ingestTime) {}

    static final IngestBuckets BUCKETS = IngestBuckets.DEFAULT;

    final InMemoryBatchViews batch = new InMemoryBatchViews();
    final InMemorySpeedViews speed;
    /** The table of the previous release's speed layer: empty unless {@link #previousReleaseRan()}. */
    final InMemoryLegacySpeedRows legacy = new InMemoryLegacySpeedRows();
    private final List<Ingested> events = new ArrayList<>();
    private int nextId;

    ViewScenario() {
        this(new InMemorySpeedViews());
    }

    private ViewScenario(InMemorySpeedViews speed) {
        this.speed = speed;
    }

    /** A platform upgraded from the previous release: its speed rows are in the earlier table, not copied yet. */
    static ViewScenario upgradedFromPreviousRelease() {
        return new ViewScenario(InMemorySpeedViews.upgradedFromEarlierRelease());
    }

    ViewScenario event(String product, String eventTime, String ingestTime, String revenue, long durationMs) {
        events.add(new Ingested(Event.of("e-" + nextId++, product, revenue, durationMs, Instant.parse(eventTime)),
                Instant.parse(ingestTime)));
        return this;
    }

    ViewScenario eventOfUser(String product, String user, String eventTime, String ingestTime, long durationMs) {
        events.add(new Ingested(new Event("e-" + nextId++, product, user, java.math.BigDecimal.ONE, durationMs, Instant.parse(eventTime)),
                Instant.parse(ingestTime)));
        return this;
    }

    /** Writes the speed rows of every event. */
    ViewScenario speedLayerRan() {
        Collection<SpeedDelta> deltas = speedRows();
        deltas.forEach(delta -> speed.upsert(delta).toCompletableFuture().join());
        deltas.forEach(delta -> speed.recordProduct(delta.key().productId()).toCompletableFuture().join());
        return this;
    }

    /** Writes the speed rows of every event the way the previous release did: into its own table. */
    ViewScenario previousReleaseRan() {
        speedRows().forEach(delta -> legacy.add(SpeedRow.of(delta)));
        return this;
    }

    /** The speed layer of this release started: it copied the previous release's rows. */
    ViewScenario speedLayerUpgraded(Clock clock) {
        SpeedRowsUpgrade.copyLegacyRows(legacy, speed, batch, clock);
        return this;
    }

    private Collection<SpeedDelta> speedRows() {
        Map<String, Metrics> rows = new TreeMap<>();
        Map<String, SpeedDelta> deltas = new TreeMap<>();
        for (Ingested ingested : events) {
            ViewKey key = ViewKey.of(ingested.event(), Granularity.FIVE_MINUTES);
            Instant bucket = BUCKETS.bucketStart(ingested.ingestTime());
            String id = key + "/" + bucket;
            Metrics merged = rows.getOrDefault(id, Metrics.EMPTY).merge(Metrics.of(ingested.event()));
            rows.put(id, merged);
            deltas.put(id, new SpeedDelta(key, bucket, merged));
        }
        return deltas.values();
    }

    /** Publishes a batch version covering the events ingested before {@code cutoff}. */
    ViewScenario batchRan(String cutoff) {
        Instant cut = Instant.parse(cutoff);
        BatchVersion version = batch.begin(cut, cut.plusSeconds(60));
        Map<ViewKey, Metrics> rows = new TreeMap<>();
        long covered = 0;
        for (Ingested ingested : events) {
            if (ingested.ingestTime().isBefore(cut)) {
                covered++;
                for (ViewKey key : ViewKey.allOf(ingested.event())) {
                    rows.merge(key, Metrics.of(ingested.event()), Metrics::merge);
                }
            }
        }
        try (BatchViewWriter writer = batch.writer(version.version())) {
            rows.forEach((key, metrics) -> writer.write(new ViewRow(key, metrics)));
        }
        batch.publish(version.version(), rows.size(), covered, cut.plusSeconds(120));
        return this;
    }

    /** Every partition has processed everything ingested before {@code watermark} since {@code coveredSince}. */
    ViewScenario progress(String watermark, String coveredSince, Duration retention) {
        for (int partition = 0; partition < 3; partition++) {
            speed.saveProgress(new SpeedProgress(partition, Instant.parse(watermark), Instant.parse(coveredSince), retention,
                    Instant.parse(watermark)));
        }
        return this;
    }

    /**
     * Every partition was read from its first record, ingested at {@code logBegins}, and has processed everything
     * ingested before {@code watermark}: the speed layer of a platform that started at {@code logBegins}.
     */
    ViewScenario progressSinceLogBegan(String watermark, String logBegins, Duration retention) {
        for (int partition = 0; partition < 3; partition++) {
            speed.saveProgress(new SpeedProgress(partition, Instant.parse(watermark), Instant.EPOCH, retention, Instant.parse(watermark),
                    Instant.parse(logBegins)));
        }
        return this;
    }

    /** What an exact answer holds: every event, per window of this size, in [from, to). */
    Map<EventWindow, Metrics> expected(String product, Granularity granularity, Instant from, Instant to) {
        Map<EventWindow, Metrics> expected = new TreeMap<>();
        for (Ingested ingested : events) {
            ViewKey key = ViewKey.of(ingested.event(), granularity);
            Instant start = key.window().start();
            if (key.productId().equals(product) && !start.isBefore(from) && start.isBefore(to)) {
                expected.merge(key.window(), Metrics.of(ingested.event()), Metrics::merge);
            }
        }
        return expected;
    }
}
