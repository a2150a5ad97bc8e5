package io.lambdaplatform.serving;

import io.lambdaplatform.model.EventWindow;
import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.model.Metrics;
import io.lambdaplatform.model.ViewKey;
import io.lambdaplatform.model.config.PlatformMode;
import io.lambdaplatform.viewstore.InMemoryViewSets;
import io.lambdaplatform.viewstore.IngestHole;
import io.lambdaplatform.viewstore.SpeedDelta;
import io.lambdaplatform.viewstore.SpeedProgress;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class SealedSpeedRowsTest {

    private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");
    private static final Duration RETENTION = Duration.ofDays(7);
    private static final Instant FROM = Instant.parse("2026-11-23T00:00:00Z");
    private static final Instant TO = Instant.parse("2026-11-25T00:00:00Z");
    /** Where the events topic's log begins: the speed rows hold everything since, so an answer lacks nothing. */
    private static final String LOG_BEGINS = "2026-11-23T00:00:00Z";

    private static MergedView view(ViewScenario scenario, long speedCacheBytes) {
        return view(scenario, new SealedSpeedRows(speedCacheBytes, ViewScenario.BUCKETS));
    }

    private static MergedView view(ViewScenario scenario, SealedSpeedRows rows) {
        return new MergedView(new ViewSource.Views(scenario.batch, scenario.speed, new InMemoryViewSets(), set -> scenario.speed),
                PlatformMode.LAMBDA, new BatchRowCache(0), rows, new ViewStateCache(Duration.ZERO), 4, Clock.fixed(NOW, ZoneOffset.UTC),
                new SimpleMeterRegistry(), Runnable::run);
    }

    private static MetricsAnswer answer(MergedView view, Granularity granularity) {
        return view.answer(new MetricsQuery("p-1", granularity, FROM, TO));
    }

    /** The exact measures per window, and how many speed rows went in. */
    private static Map<Object, Object> exact(MetricsAnswer answer) {
        Map<Object, Object> exact = new LinkedHashMap<>();
        answer.windows().forEach(window -> exact.put(window.window(), window.total().withSketches(null)));
        exact.put("speed rows", answer.speedRows());
        exact.put("complete", answer.gaps().isEmpty());
        return exact;
    }

    /** A speed row the speed layer never writes: a change to a bucket its watermark passed. */
    private static void sneakIn(ViewScenario scenario, String window, String bucket) {
        scenario.speed.upsert(new SpeedDelta(new ViewKey("p-1", new EventWindow(Granularity.FIVE_MINUTES, Instant.parse(window))),
                Instant.parse(bucket), new Metrics(1_000, new BigDecimal("1000.00"), 1_000))).toCompletableFuture().join();
    }

    @Test
    void answersAreThoseWithoutKeptRowsWhileRowsArriveTheWatermarkMovesAndTheBatchCutoffMovesOn() {
        ViewScenario scenario = new ViewScenario();
        SealedSpeedRows rows = new SealedSpeedRows(1L << 20, ViewScenario.BUCKETS);
        MergedView kept = view(scenario, rows);
        MergedView unkept = view(scenario, 0);
        Instant ingest = Instant.parse("2026-11-24T10:00:05Z");
        for (int minute = 0; minute < 40; minute++) {
            Instant at = ingest.plus(Duration.ofMinutes(minute));
            // On time, late by hours and into yesterday; two events of one bucket, so rows grow while their bucket is open.
            scenario.event("p-1", at.minusSeconds(3).toString(), at.toString(), "1.25", 100 + minute)
                    .event("p-1", at.minus(Duration.ofHours(1 + minute % 5)).toString(), at.plusSeconds(20).toString(), "-0.50", 7)
                    .event("p-1", at.minus(Duration.ofDays(1)).toString(), at.plusSeconds(30).toString(), "3.00", 1_000);
            scenario.speedLayerRan().progressSinceLogBegan(at.plusSeconds(40).toString(), LOG_BEGINS, RETENTION);
            if (minute == 25) {
                scenario.batchRan("2026-11-24T10:20:00Z");
            }
            for (Granularity granularity : Granularity.values()) {
                MetricsAnswer answer = answer(kept, granularity);
                assertThat(exact(answer)).as("minute %d at %s", minute, granularity).isEqualTo(exact(answer(unkept, granularity)));
                assertThat(answer.windows().stream().mapToLong(window -> window.total().eventCount()).sum())
                        .as("every event once").isEqualTo(3L * (minute + 1));
            }
        }
        assertThat(rows.size()).as("one entry per granularity before the batch run and one after").isEqualTo(6);
    }

    @Test
    void theRowsOfBucketsTheWatermarkPassedAreReadOnceAndTheLaterOnesAgainByEveryAnswer() {
        ViewScenario scenario = new ViewScenario()
                .event("p-1", "2026-11-24T10:01:00Z", "2026-11-24T10:01:10Z", "2.00", 100)
                .event("p-1", "2026-11-24T10:06:00Z", "2026-11-24T10:06:10Z", "3.00", 100)
                .speedLayerRan()
                .progressSinceLogBegan("2026-11-24T10:06:30Z", LOG_BEGINS, RETENTION);
        MergedView kept = view(scenario, 1L << 20);
        MergedView unkept = view(scenario, 0);
        assertThat(answer(kept, Granularity.ONE_HOUR).windows()).singleElement()
                .satisfies(window -> assertThat(window.total().eventCount()).isEqualTo(2));

        sneakIn(scenario, "2026-11-24T10:00:00Z", "2026-11-24T10:01:00Z");
        sneakIn(scenario, "2026-11-24T10:05:00Z", "2026-11-24T10:06:00Z");

        // Bucket 10:01 ended before the watermark: its row was read once. Bucket 10:06 is open: read again.
        assertThat(answer(kept, Granularity.ONE_HOUR).windows()).singleElement()
                .satisfies(window -> assertThat(window.total().eventCount()).isEqualTo(1 + 1_000));
        assertThat(answer(unkept, Granularity.ONE_HOUR).windows()).singleElement()
                .satisfies(window -> assertThat(window.total().eventCount()).isEqualTo(1_000 + 1_000));
    }

    @Test
    void nothingIsKeptWhileTheAnswerLacksRowsSoRowsThatArriveLaterAreRead() {
        ViewScenario scenario = new ViewScenario()
                .event("p-1", "2026-11-24T10:01:00Z", "2026-11-24T10:01:10Z", "2.00", 100)
                .speedLayerRan();
        // Rows only from 10:05 on: the answer lacks [09:00, 10:05), e.g. while the speed layer catches up after a reset.
        for (int partition = 0; partition < 3; partition++) {
            scenario.speed.saveProgress(new SpeedProgress(partition, Instant.parse("2026-11-24T10:30:00Z"), Instant.parse("2026-11-24T10:05:00Z"),
                    RETENTION, Instant.parse("2026-11-24T10:30:00Z"), Instant.parse(LOG_BEGINS)));
        }
        MergedView kept = view(scenario, 1L << 20);
        assertThat(answer(kept, Granularity.ONE_HOUR).gaps()).isNotEmpty();

        sneakIn(scenario, "2026-11-24T10:00:00Z", "2026-11-24T10:01:00Z");
        scenario.progressSinceLogBegan("2026-11-24T10:31:00Z", LOG_BEGINS, RETENTION);

        MetricsAnswer complete = answer(kept, Granularity.ONE_HOUR);
        assertThat(complete.gaps()).isEmpty();
        assertThat(complete.windows()).singleElement().satisfies(window -> assertThat(window.total().eventCount()).isEqualTo(1_000));
    }

    @Test
    void aHoleTheBatchLayerAcceptedBelowTheCutoffLeavesTheSpeedRowsKept() {
        ViewScenario scenario = new ViewScenario()
                .event("p-1", "2026-11-24T09:00:00Z", "2026-11-24T09:00:10Z", "2.00", 100)
                .event("p-1", "2026-11-24T10:01:00Z", "2026-11-24T10:01:10Z", "2.00", 100)
                .batchRan("2026-11-24T10:00:00Z")
                .speedLayerRan()
                .progressSinceLogBegan("2026-11-24T10:30:00Z", LOG_BEGINS, RETENTION);
        scenario.batch.recordHoles(List.of(new IngestHole("batch", 2, 40, 55, Instant.parse("2026-11-24T08:00:00Z"),
                Instant.parse("2026-11-24T08:30:00Z"))));
        MergedView kept = view(scenario, 1L << 20);
        assertThat(answer(kept, Granularity.ONE_HOUR).gaps()).as("the hole's span is reported").isNotEmpty();

        sneakIn(scenario, "2026-11-24T10:00:00Z", "2026-11-24T10:01:00Z");

        assertThat(answer(kept, Granularity.ONE_HOUR).windows()).extracting(window -> window.total().eventCount()).containsExactly(1L, 1L);
    }

    @Test
    void keptRowsAreOfTheirCutoffAndProductAndNoneWhenTurnedOff() {
        ViewScenario scenario = new ViewScenario()
                .event("p-1", "2026-11-24T10:01:00Z", "2026-11-24T10:01:10Z", "2.00", 100)
                .event("p-1", "2026-11-24T10:04:00Z", "2026-11-24T10:04:10Z", "2.00", 100)
                .event("p-2", "2026-11-24T10:04:00Z", "2026-11-24T10:04:10Z", "2.00", 100)
                .speedLayerRan()
                .progressSinceLogBegan("2026-11-24T10:30:00Z", LOG_BEGINS, RETENTION);
        SealedSpeedRows rows = new SealedSpeedRows(1L << 20, ViewScenario.BUCKETS);
        MergedView view = view(scenario, rows);

        answer(view, Granularity.FIVE_MINUTES);
        answer(view, Granularity.ONE_HOUR);
        view.answer(new MetricsQuery("p-2", Granularity.ONE_HOUR, FROM, TO));
        assertThat(rows.size()).isEqualTo(3);

        scenario.batchRan("2026-11-24T10:03:00Z");
        MetricsAnswer afterBatch = answer(view, Granularity.ONE_HOUR);
        assertThat(rows.size()).isEqualTo(4);
        assertThat(afterBatch.batchRows()).isEqualTo(1);
        assertThat(afterBatch.speedRows()).as("only the row from the new cutoff on").isEqualTo(1);
        assertThat(afterBatch.windows()).singleElement().satisfies(window -> assertThat(window.total().eventCount()).isEqualTo(2));

        SealedSpeedRows off = new SealedSpeedRows(0, ViewScenario.BUCKETS);
        assertThat(off.read(new SealedSpeedRows.Key(ViewsUsed.LAMBDA, "p-1", Granularity.ONE_HOUR, Instant.EPOCH),
                new WindowRange(Granularity.ONE_HOUR, FROM, TO), Optional.of(NOW), (from, to, ingestFrom) -> List.of()).sealed())
                .isEmpty();
        assertThat(off.size()).isZero();
    }
}
