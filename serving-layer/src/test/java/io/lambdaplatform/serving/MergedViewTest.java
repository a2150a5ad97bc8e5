package io.lambdaplatform.serving;

import io.lambdaplatform.model.EventWindow;
import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.model.IngestBuckets;
import io.lambdaplatform.model.Metrics;
import io.lambdaplatform.model.RuleSettings;
import io.lambdaplatform.model.ViewKey;
import io.lambdaplatform.model.config.PlatformMode;
import io.lambdaplatform.viewstore.InMemorySpeedViews;
import io.lambdaplatform.viewstore.InMemoryViewSets;
import io.lambdaplatform.viewstore.IngestHole;
import io.lambdaplatform.viewstore.LegacyRowsCopy;
import io.lambdaplatform.viewstore.SpeedDelta;
import io.lambdaplatform.viewstore.SpeedProgress;
import io.lambdaplatform.viewstore.SpeedViews;
import io.lambdaplatform.viewstore.ViewSet;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

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
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

class MergedViewTest {

    private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");
    private static final Duration RETENTION = Duration.ofDays(7);
    private static final SimpleMeterRegistry METERS = new SimpleMeterRegistry();

    private static MergedView view(ViewScenario scenario) {
        return new MergedView(scenario.batch, scenario.speed, new BatchRowCache(0), new ViewStateCache(Duration.ZERO), 4, Clock.fixed(NOW, ZoneOffset.UTC), METERS, Runnable::run);
    }

    private static MetricsQuery query(String product, Granularity granularity, String from, String to) {
        return new MetricsQuery(product, granularity, Instant.parse(from), Instant.parse(to));
    }

    private static Map<EventWindow, Metrics> totals(MetricsAnswer answer) {
        Map<EventWindow, Metrics> totals = new LinkedHashMap<>();
        answer.windows().forEach(window -> totals.put(window.window(), window.total()));
        return totals;
    }

    /** {@link #totals} without the sketches: to compare with the exact measures alone. */
    private static Map<EventWindow, Metrics> exactTotals(MetricsAnswer answer) {
        Map<EventWindow, Metrics> totals = new LinkedHashMap<>();
        totals(answer).forEach((window, metrics) -> totals.put(window, metrics.withSketches(null)));
        return totals;
    }

    private static EventWindow hour(String start) {
        return new EventWindow(Granularity.ONE_HOUR, Instant.parse(start));
    }

    private static Metrics metrics(long count, String revenue, long durationSumMs) {
        return new Metrics(count, new BigDecimal(revenue), durationSumMs);
    }

    @Test
    void inKappaModeAnAnswerIsTheCurrentViewSetAloneAndFollowsItsSwitch() {
        InMemorySpeedViews zero = new InMemorySpeedViews();
        InMemorySpeedViews one = new InMemorySpeedViews();
        InMemoryViewSets sets = new InMemoryViewSets();
        ViewSet first = sets.initial("r1-aaaa", RuleSettings.NONE, NOW);
        ViewSet replayed = sets.begin("r1-aaaa+max-duration=2000ms", new RuleSettings(Optional.of(Duration.ofSeconds(2))), NOW);
        ViewScenario scenario = new ViewScenario()
                .event("p-1", "2026-11-24T10:10:00Z", "2026-11-24T10:10:02Z", "10.00", 100)
                .batchRan("2026-11-24T10:30:00Z");
        for (InMemorySpeedViews views : List.of(zero, one)) {
            views.saveProgress(new SpeedProgress(0, NOW.minusSeconds(5), Instant.EPOCH, SpeedViews.KEPT_FOREVER, NOW));
        }
        zero.upsert(new SpeedDelta(new ViewKey("p-1", new EventWindow(Granularity.FIVE_MINUTES, Instant.parse("2026-11-24T10:10:00Z"))),
                Instant.parse("2026-11-24T10:10:00Z"), metrics(2, "12.00", 3_100)));
        one.upsert(new SpeedDelta(new ViewKey("p-1", new EventWindow(Granularity.FIVE_MINUTES, Instant.parse("2026-11-24T10:10:00Z"))),
                Instant.parse("2026-11-24T10:10:00Z"), metrics(1, "10.00", 100)));
        MergedView view = new MergedView(new ViewSource.Views(scenario.batch, zero, sets, set -> set.id() == 0 ? zero : one), PlatformMode.KAPPA,
                new BatchRowCache(0), new SealedSpeedRows(1L << 20, IngestBuckets.DEFAULT), new ViewStateCache(Duration.ZERO), 4,
                Clock.fixed(NOW, ZoneOffset.UTC), METERS, Runnable::run);
        MetricsQuery query = query("p-1", Granularity.ONE_HOUR, "2026-11-24T10:00:00Z", "2026-11-24T11:00:00Z");

        MetricsAnswer before = view.answer(query);
        sets.switchTo(replayed, 0, NOW);
        MetricsAnswer after = view.answer(query);

        assertThat(exactTotals(before)).as("set 0, and no batch part although a version is published")
                .containsExactly(Map.entry(hour("2026-11-24T10:00:00Z"), metrics(2, "12.00", 3_100)));
        assertThat(before.batch()).isEmpty();
        assertThat(before.complete()).isTrue();
        assertThat(before.views()).isEqualTo(new ViewsUsed(PlatformMode.KAPPA, Optional.of(first)));
        assertThat(exactTotals(after)).containsExactly(Map.entry(hour("2026-11-24T10:00:00Z"), metrics(1, "10.00", 100)));
        assertThat(after.views().set().map(ViewSet::id)).contains(1L);
        assertThat(view.status().views().set().map(ViewSet::logicVersion)).contains("r1-aaaa+max-duration=2000ms");
    }

    @Test
    void rightAfterAnUpgradeTheRowsOfThePreviousReleaseAreReportedMissingUntilTheNewSpeedLayerCopiedThem() {
        ViewScenario scenario = ViewScenario.upgradedFromPreviousRelease()
                .event("p-1", "2026-11-24T10:10:00Z", "2026-11-24T10:10:02Z", "10.00", 100)
                .event("p-1", "2026-11-24T10:31:00Z", "2026-11-24T10:30:00Z", "0.20", 300)
                .event("p-1", "2026-11-24T09:50:00Z", "2026-11-24T10:50:01Z", "-1.05", 400)
                .previousReleaseRan()
                .batchRan("2026-11-24T10:30:00Z")
                .progress("2026-11-24T11:59:00Z", "2026-11-24T00:00:00Z", RETENTION);
        MetricsQuery query = query("p-1", Granularity.ONE_HOUR, "2026-11-24T09:00:00Z", "2026-11-24T11:00:00Z");

        MetricsAnswer before = view(scenario).answer(query);

        // Short by the two events after the cutoff, and it says so.
        assertThat(exactTotals(before)).containsExactly(Map.entry(hour("2026-11-24T10:00:00Z"), metrics(1, "10.00", 100)));
        assertThat(before.complete()).isFalse();
        assertThat(before.gaps()).singleElement().satisfies(gap -> {
            assertThat(gap.from()).isEqualTo(Instant.parse("2026-11-24T10:30:00Z"));
            assertThat(gap.to()).isEqualTo(NOW);
            assertThat(gap.reason()).contains("not copied yet");
        });
        assertThat(view(scenario).status().gaps()).isEqualTo(before.gaps());

        scenario.speedLayerUpgraded(Clock.fixed(NOW, ZoneOffset.UTC));
        MetricsAnswer after = view(scenario).answer(query);

        assertThat(totals(after)).isEqualTo(scenario.expected("p-1", Granularity.ONE_HOUR, query.range().from(), query.range().to()));
        assertThat(after.complete()).isTrue();
    }

    @Test
    void aVersionWithACutoffBeforeWhereTheCopyStartedIsReportedMissingThatSpan() {
        ViewScenario scenario = ViewScenario.upgradedFromPreviousRelease()
                .event("p-1", "2026-11-24T10:10:00Z", "2026-11-24T10:10:02Z", "10.00", 100)
                .batchRan("2026-11-24T10:30:00Z")
                .progress("2026-11-24T11:59:00Z", "2026-11-24T00:00:00Z", RETENTION);
        scenario.speed.recordLegacyRowsCopy(new LegacyRowsCopy(Instant.parse("2026-11-24T11:00:00Z"), 0, NOW));

        MetricsAnswer answer = view(scenario).answer(query("p-1", Granularity.ONE_HOUR, "2026-11-24T10:00:00Z", "2026-11-24T11:00:00Z"));

        assertThat(answer.gaps()).extracting(IngestGap::from, IngestGap::to)
                .containsExactly(tuple(Instant.parse("2026-11-24T10:30:00Z"), Instant.parse("2026-11-24T11:00:00Z")));
    }

    @Test
    void cutoffInsideAWindowTakesEarlierEventsFromTheBatchViewAndLaterOnesFromTheSpeedLayer() {
        ViewScenario scenario = new ViewScenario()
                .event("p-1", "2026-11-24T10:10:00Z", "2026-11-24T10:10:02Z", "10.00", 100)
                .event("p-1", "2026-11-24T10:25:00Z", "2026-11-24T10:29:59.999Z", "0.10", 200)
                .event("p-1", "2026-11-24T10:31:00Z", "2026-11-24T10:30:00Z", "0.20", 300)
                .event("p-1", "2026-11-24T10:50:00Z", "2026-11-24T10:50:01Z", "-1.05", 400)
                .speedLayerRan()
                .batchRan("2026-11-24T10:30:00Z")
                .progress("2026-11-24T11:59:00Z", "2026-11-24T00:00:00Z", RETENTION);

        MetricsAnswer answer = view(scenario).answer(query("p-1", Granularity.ONE_HOUR, "2026-11-24T10:00:00Z", "2026-11-24T11:00:00Z"));

        assertThat(answer.windows()).singleElement().satisfies(window -> {
            assertThat(window.window()).isEqualTo(hour("2026-11-24T10:00:00Z"));
            assertThat(window.fromBatch().withSketches(null)).isEqualTo(metrics(2, "10.10", 300));
            assertThat(window.fromSpeed().withSketches(null)).isEqualTo(metrics(2, "-0.85", 700));
            assertThat(window.total().withSketches(null)).isEqualTo(metrics(4, "9.25", 1000));
            assertThat(window.total().averageDurationMs()).isEqualByComparingTo("250.000");
        });
        assertThat(answer.batchRows()).isEqualTo(1);
        assertThat(answer.speedRows()).isEqualTo(2);
        // The speed rows of buckets before the cutoff are not even read.
        assertThat(answer.speedRowsSuperseded()).isZero();
        assertThat(answer.complete()).isTrue();
        assertThat(answer.batch()).map(version -> version.cutoff()).contains(Instant.parse("2026-11-24T10:30:00Z"));
        assertThat(answer.speed().watermark()).contains(Instant.parse("2026-11-24T11:59:00Z"));
    }

    @Test
    void lateEventsOnBothSidesOfTheCutoffAreEachCountedOnce() {
        ViewScenario scenario = new ViewScenario()
                // event time 08:xx, ingested hours later: one before the cutoff, one after
                .event("p-1", "2026-11-24T08:05:00Z", "2026-11-24T10:29:00Z", "1.00", 10)
                .event("p-1", "2026-11-24T08:06:00Z", "2026-11-24T10:31:00Z", "2.00", 20)
                // on time, after the cutoff
                .event("p-1", "2026-11-24T10:40:00Z", "2026-11-24T10:40:00Z", "4.00", 40)
                // a late event older than the query range is not in it
                .event("p-1", "2026-11-23T08:06:00Z", "2026-11-24T10:32:00Z", "8.00", 80)
                .speedLayerRan()
                .batchRan("2026-11-24T10:30:00Z")
                .progress("2026-11-24T11:59:00Z", "2026-11-24T00:00:00Z", RETENTION);

        MetricsAnswer answer = view(scenario).answer(query("p-1", Granularity.ONE_HOUR, "2026-11-24T00:00:00Z", "2026-11-25T00:00:00Z"));

        assertThat(answer.windows()).extracting(MergedWindow::window, window -> window.fromBatch().withSketches(null),
                        window -> window.fromSpeed().withSketches(null))
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(hour("2026-11-24T08:00:00Z"), metrics(1, "1.00", 10), metrics(1, "2.00", 20)),
                        org.assertj.core.groups.Tuple.tuple(hour("2026-11-24T10:00:00Z"), Metrics.EMPTY.withSketches(null), metrics(1, "4.00", 40)));
        assertThat(totals(answer)).isEqualTo(scenario.expected("p-1", Granularity.ONE_HOUR,
                Instant.parse("2026-11-24T00:00:00Z"), Instant.parse("2026-11-25T00:00:00Z")));
    }

    @Test
    void beforeTheFirstBatchRunTheAnswerIsTheSpeedLayerAlone() {
        ViewScenario scenario = new ViewScenario()
                .event("p-1", "2026-11-24T09:01:00Z", "2026-11-24T09:01:00Z", "1.50", 1000)
                .event("p-1", "2026-11-24T09:02:00Z", "2026-11-24T09:02:00Z", "2.50", 3000)
                .event("p-2", "2026-11-24T09:03:00Z", "2026-11-24T09:03:00Z", "100.00", 1)
                .speedLayerRan()
                .progress("2026-11-24T11:59:00Z", "1970-01-01T00:00:00Z", RETENTION);

        MetricsAnswer answer = view(scenario).answer(query("p-1", Granularity.ONE_HOUR, "2026-11-24T00:00:00Z", "2026-11-25T00:00:00Z"));

        assertThat(answer.batch()).isEmpty();
        assertThat(exactTotals(answer)).containsExactly(Map.entry(hour("2026-11-24T09:00:00Z"), metrics(2, "4.00", 4000)));
        assertThat(answer.windows().get(0).fromBatch()).isEqualTo(Metrics.EMPTY);
        // Without a batch view, rows older than the speed retention cannot be vouched for.
        assertThat(answer.gaps()).singleElement().satisfies(gap -> {
            assertThat(gap.from()).isEqualTo(Instant.EPOCH);
            assertThat(gap.to()).isEqualTo(NOW.minus(RETENTION));
            assertThat(gap.reason()).contains("may have expired");
        });
    }

    @Test
    void aPlatformYoungerThanTheSpeedRetentionIsCompleteWithoutABatchRun() {
        ViewScenario scenario = new ViewScenario()
                .event("p-1", "2026-11-24T09:01:00Z", "2026-11-24T09:01:00Z", "1.50", 1000)
                .speedLayerRan()
                // the platform started at 09:00: no event was ingested before, so none can be missing
                .progressSinceLogBegan("2026-11-24T11:59:00Z", "2026-11-24T09:00:00Z", RETENTION);

        MetricsAnswer answer = view(scenario).answer(query("p-1", Granularity.ONE_HOUR, "2026-11-24T00:00:00Z", "2026-11-25T00:00:00Z"));

        assertThat(answer.complete()).isTrue();
        assertThat(answer.speed().availableSince()).contains(Instant.EPOCH);
        assertThat(exactTotals(answer)).containsExactly(Map.entry(hour("2026-11-24T09:00:00Z"), metrics(1, "1.50", 1000)));
    }

    @Test
    void aPlatformYoungerThanTheSpeedRetentionIsCompleteAfterABatchRun() {
        ViewScenario scenario = new ViewScenario()
                .event("p-1", "2026-11-24T09:01:00Z", "2026-11-24T09:01:00Z", "1.50", 1000)
                .event("p-1", "2026-11-24T10:31:00Z", "2026-11-24T10:31:00Z", "2.50", 3000)
                .speedLayerRan()
                .batchRan("2026-11-24T10:00:00Z")
                .progressSinceLogBegan("2026-11-24T11:59:00Z", "2026-11-24T09:00:00Z", RETENTION);

        MetricsAnswer answer = view(scenario).answer(query("p-1", Granularity.ONE_DAY, "2026-11-24T00:00:00Z", "2026-11-25T00:00:00Z"));

        assertThat(answer.complete()).isTrue();
        assertThat(exactTotals(answer)).containsExactly(Map.entry(new EventWindow(Granularity.ONE_DAY, Instant.parse("2026-11-24T00:00:00Z")),
                metrics(2, "4.00", 4000)));
    }

    @Test
    void speedRowsThatExpiredBeforeABatchCoveredThemMakeTheAnswerIncompleteFromWhereTheLogBegins() {
        ViewScenario scenario = new ViewScenario()
                .event("p-1", "2026-11-24T09:01:00Z", "2026-11-24T09:01:00Z", "1.50", 1000)
                .speedLayerRan()
                // started ten days ago, never a batch run, rows live two days: [log start, now − 2 days) may be gone
                .progressSinceLogBegan("2026-11-24T11:59:00Z", "2026-11-14T12:00:00Z", Duration.ofDays(2));

        MetricsAnswer answer = view(scenario).answer(query("p-1", Granularity.ONE_HOUR, "2026-11-24T00:00:00Z", "2026-11-25T00:00:00Z"));

        assertThat(answer.complete()).isFalse();
        assertThat(answer.gaps()).containsExactly(new IngestGap(Instant.parse("2026-11-14T12:00:00Z"), Instant.parse("2026-11-22T12:00:00Z"),
                "speed rows of events ingested before 2026-11-22T12:00:00Z may have expired (retention PT48H) and no batch view covers them"));
        assertThat(answer.speed().availableSince()).contains(Instant.parse("2026-11-22T12:00:00Z"));
    }

    @Test
    void aBatchCutoffBeforeTheRetentionLeavesTheSpanFromTheCutoffIncompleteAlthoughTheLogBeganEarlier() {
        ViewScenario scenario = new ViewScenario()
                .batchRan("2026-11-20T00:00:00Z")
                .progressSinceLogBegan("2026-11-24T11:59:00Z", "2026-11-14T12:00:00Z", Duration.ofDays(2));

        MetricsAnswer answer = view(scenario).answer(query("p-1", Granularity.ONE_DAY, "2026-11-20T00:00:00Z", "2026-11-25T00:00:00Z"));

        assertThat(answer.gaps()).extracting(IngestGap::from, IngestGap::to).containsExactly(
                org.assertj.core.groups.Tuple.tuple(Instant.parse("2026-11-20T00:00:00Z"), Instant.parse("2026-11-22T12:00:00Z")));
    }

    @Test
    void aBatchViewWithoutRowsForTheProductLeavesTheSpeedRowsAfterTheCutoff() {
        ViewScenario scenario = new ViewScenario()
                .event("p-other", "2026-11-24T09:00:00Z", "2026-11-24T09:00:00Z", "5.00", 5)
                .event("p-1", "2026-11-24T11:00:00Z", "2026-11-24T11:00:00Z", "7.00", 70)
                .speedLayerRan()
                .batchRan("2026-11-24T10:00:00Z")
                .progress("2026-11-24T11:59:00Z", "2026-11-24T00:00:00Z", RETENTION);

        MetricsAnswer answer = view(scenario).answer(query("p-1", Granularity.ONE_DAY, "2026-11-24T00:00:00Z", "2026-11-25T00:00:00Z"));

        assertThat(answer.batchRows()).isZero();
        assertThat(exactTotals(answer)).containsExactly(Map.entry(
                new EventWindow(Granularity.ONE_DAY, Instant.parse("2026-11-24T00:00:00Z")), metrics(1, "7.00", 70)));
    }

    @Test
    void noEventsGiveAnEmptyListOfWindows() {
        ViewScenario scenario = new ViewScenario()
                .batchRan("2026-11-24T10:00:00Z")
                .progress("2026-11-24T11:59:00Z", "2026-11-24T00:00:00Z", RETENTION);

        MetricsAnswer answer = view(scenario).answer(query("p-1", Granularity.FIVE_MINUTES, "2026-11-24T10:00:00Z", "2026-11-24T11:00:00Z"));

        assertThat(answer.windows()).isEmpty();
        assertThat(answer.complete()).isTrue();
    }

    @Test
    void speedRowsThatStartAfterTheCutoffMakeTheAnswerIncompleteForTheSpanInBetween() {
        ViewScenario scenario = new ViewScenario()
                .event("p-1", "2026-11-24T10:50:00Z", "2026-11-24T10:50:00Z", "1.00", 1)
                .speedLayerRan()
                .batchRan("2026-11-24T10:30:00Z")
                // the speed layer holds rows only from 10:40 on: 10:30..10:40 is in neither view
                .progress("2026-11-24T11:59:00Z", "2026-11-24T10:40:00Z", RETENTION);

        MetricsAnswer answer = view(scenario).answer(query("p-1", Granularity.ONE_HOUR, "2026-11-24T10:00:00Z", "2026-11-24T11:00:00Z"));

        assertThat(answer.complete()).isFalse();
        assertThat(answer.gaps()).containsExactly(new IngestGap(Instant.parse("2026-11-24T10:30:00Z"), Instant.parse("2026-11-24T10:40:00Z"),
                "the speed layer holds rows only for events ingested since 2026-11-24T10:40:00Z and no batch view covers the events before"));
        assertThat(exactTotals(answer)).containsExactly(Map.entry(hour("2026-11-24T10:00:00Z"), metrics(1, "1.00", 1)));
    }

    @Test
    void aCutoffOlderThanTheSpeedRetentionMakesTheAnswerIncomplete() {
        ViewScenario scenario = new ViewScenario()
                .event("p-1", "2026-11-20T10:00:00Z", "2026-11-20T10:00:00Z", "1.00", 1)
                .batchRan("2026-11-20T00:00:00Z")
                .progress("2026-11-24T11:59:00Z", "2026-11-01T00:00:00Z", Duration.ofDays(2));

        MetricsAnswer answer = view(scenario).answer(query("p-1", Granularity.ONE_DAY, "2026-11-20T00:00:00Z", "2026-11-25T00:00:00Z"));

        assertThat(answer.complete()).isFalse();
        assertThat(answer.gaps()).singleElement().satisfies(gap -> {
            assertThat(gap.from()).isEqualTo(Instant.parse("2026-11-20T00:00:00Z"));
            assertThat(gap.to()).isEqualTo(Instant.parse("2026-11-22T12:00:00Z"));
            assertThat(gap.reason()).isEqualTo("speed rows of events ingested before 2026-11-22T12:00:00Z may have expired (retention PT48H)"
                    + " and no batch view covers them");
        });
    }

    @Test
    void aHoleTheBatchLayerAcceptedMakesEveryAnswerBelowTheCutoffIncompleteForItsSpan() {
        ViewScenario scenario = new ViewScenario()
                .event("p-1", "2026-11-24T09:00:00Z", "2026-11-24T09:00:00Z", "1.00", 1)
                .batchRan("2026-11-24T10:00:00Z")
                .progress("2026-11-24T11:59:00Z", "2026-11-01T00:00:00Z", RETENTION);
        scenario.batch.recordHoles(List.of(
                new IngestHole("batch", 2, 40, 55, Instant.parse("2026-11-24T08:00:00Z"), Instant.parse("2026-11-24T08:30:00Z")),
                // archived later than this answer's version: its records are still in the speed rows
                new IngestHole("batch", 0, 7, 9, Instant.parse("2026-11-24T10:05:00Z"), Instant.parse("2026-11-24T10:06:00Z"))));

        MetricsAnswer answer = view(scenario).answer(query("p-1", Granularity.ONE_DAY, "2026-11-24T00:00:00Z", "2026-11-25T00:00:00Z"));

        assertThat(answer.complete()).isFalse();
        assertThat(answer.gaps()).containsExactly(new IngestGap(Instant.parse("2026-11-24T08:00:00Z"),
                Instant.parse("2026-11-24T08:30:00.001Z"), "records at offsets [40, 55) of partition 2 were deleted from the log "
                        + "before the batch layer archived them (accepted with --accept-log-holes)"));
        assertThat(exactTotals(answer)).containsExactly(Map.entry(new EventWindow(Granularity.ONE_DAY, Instant.parse("2026-11-24T00:00:00Z")),
                metrics(1, "1.00", 1)));
    }

    @Test
    void anAnswerBeforeTheSpeedLayerReportedIsIncompleteFromTheCutoffToNow() {
        ViewScenario scenario = new ViewScenario().batchRan("2026-11-24T10:00:00Z");

        MetricsAnswer answer = view(scenario).answer(query("p-1", Granularity.ONE_HOUR, "2026-11-24T00:00:00Z", "2026-11-25T00:00:00Z"));

        assertThat(answer.gaps()).containsExactly(new IngestGap(Instant.parse("2026-11-24T10:00:00Z"), NOW,
                "the speed layer has not reported any progress yet"));
        assertThat(answer.speed().watermark()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Granularity.class)
    void everyGranularityEqualsTheAggregateOfAllEvents(Granularity granularity) {
        ViewScenario scenario = new ViewScenario();
        // 200 events over two days, ingested up to 3 hours late, spread over two products
        for (int i = 0; i < 200; i++) {
            Instant eventTime = Instant.parse("2026-11-22T00:00:00Z").plusSeconds(i * 863L);
            Instant ingestTime = eventTime.plusSeconds((i * 7919L) % 10_800);
            scenario.event(i % 3 == 0 ? "p-2" : "p-1", eventTime.toString(), ingestTime.toString(),
                    BigDecimal.valueOf(i * 37 % 1000 - 200, 2).toPlainString(), i * 13L);
        }
        scenario.speedLayerRan().batchRan("2026-11-23T07:13:00Z").progress("2026-11-24T11:59:00Z", "2026-11-22T00:00:00Z", RETENTION);
        Instant from = Instant.parse("2026-11-22T00:00:00Z");
        Instant to = Instant.parse("2026-11-24T00:00:00Z");

        MetricsAnswer answer = view(scenario).answer(new MetricsQuery("p-1", granularity, from, to));

        Map<EventWindow, Metrics> expected = scenario.expected("p-1", granularity, from, to);
        assertThat(totals(answer)).isEqualTo(expected);
        assertThat(answer.windows()).extracting(window -> window.window().granularity()).containsOnly(granularity);
        assertThat(answer.windows()).extracting(window -> window.window().start()).isSorted();
        // 133 of the 200 events are p-1's; both views contribute, and they add up to all of them
        long fromBatch = answer.windows().stream().mapToLong(window -> window.fromBatch().eventCount()).sum();
        long fromSpeed = answer.windows().stream().mapToLong(window -> window.fromSpeed().eventCount()).sum();
        assertThat(fromBatch + fromSpeed).isEqualTo(133);
        assertThat(fromBatch).isBetween(1L, 132L);
    }

    @ParameterizedTest
    @EnumSource(Granularity.class)
    void acrossProductsEveryWindowIsTheSumOfEveryProductsExactAnswer(Granularity granularity) {
        ViewScenario scenario = new ViewScenario();
        for (int i = 0; i < 120; i++) {
            Instant eventTime = Instant.parse("2026-11-22T00:00:00Z").plusSeconds(i * 1291L);
            Instant ingestTime = eventTime.plusSeconds((i * 7919L) % 10_800);
            scenario.event("p-" + i % 4, eventTime.toString(), ingestTime.toString(), BigDecimal.valueOf(i * 37 % 1000 - 200, 2).toPlainString(),
                    i * 13L);
        }
        scenario.speedLayerRan().batchRan("2026-11-23T07:13:00Z").progress("2026-11-24T11:59:00Z", "2026-11-22T00:00:00Z", RETENTION);
        WindowRange range = new WindowRange(granularity, Instant.parse("2026-11-22T00:00:00Z"), Instant.parse("2026-11-24T00:00:00Z"));

        CrossProductAnswer answer = view(scenario).acrossProducts(range, 10);

        Map<EventWindow, Metrics> expected = new java.util.TreeMap<>();
        for (int product = 0; product < 4; product++) {
            scenario.expected("p-" + product, granularity, range.from(), range.to()).forEach((window, metrics) -> expected.merge(window, metrics, Metrics::merge));
        }
        Map<EventWindow, Metrics> windows = new LinkedHashMap<>();
        answer.windows().forEach(window -> windows.put(window.window(), window.total()));
        assertThat(windows).isEqualTo(expected);
        assertThat(answer.products()).extracting(ProductTotal::productId).containsExactly("p-0", "p-1", "p-2", "p-3");
        assertThat(answer.products()).extracting(product -> product.total().eventCount()).containsExactly(30L, 30L, 30L, 30L);
        assertThat(answer.products().stream().map(ProductTotal::fromBatch).mapToLong(Metrics::eventCount).sum()).isBetween(1L, 119L);
        assertThat(answer.complete()).isTrue();
    }

    @Test
    void topProductsAreRankedByTheChosenMeasureThenByProductId() {
        ViewScenario scenario = new ViewScenario()
                .event("p-a", "2026-11-24T09:00:00Z", "2026-11-24T09:00:00Z", "1.00", 1)
                .event("p-a", "2026-11-24T09:10:00Z", "2026-11-24T09:10:00Z", "1.00", 1)
                .event("p-b", "2026-11-24T09:20:00Z", "2026-11-24T09:20:00Z", "50.00", 1)
                .event("p-c", "2026-11-24T11:00:00Z", "2026-11-24T11:00:00Z", "3.00", 1)
                .event("p-c", "2026-11-24T11:01:00Z", "2026-11-24T11:01:00Z", "3.00", 1)
                .event("p-old", "2026-11-20T11:01:00Z", "2026-11-20T11:01:00Z", "999.00", 1)
                .speedLayerRan()
                .batchRan("2026-11-24T10:00:00Z")
                .progress("2026-11-24T11:59:00Z", "2026-11-01T00:00:00Z", RETENTION);
        WindowRange range = new WindowRange(Granularity.ONE_HOUR, Instant.parse("2026-11-24T00:00:00Z"), Instant.parse("2026-11-25T00:00:00Z"));

        CrossProductAnswer answer = view(scenario).acrossProducts(range, 10);

        assertThat(answer.productsRead()).isEqualTo(4);
        assertThat(answer.top(CrossProductAnswer.Measure.EVENTS, 2)).extracting(ProductTotal::productId).containsExactly("p-a", "p-c");
        assertThat(answer.top(CrossProductAnswer.Measure.REVENUE, 10)).extracting(ProductTotal::productId).containsExactly("p-b", "p-c", "p-a");
        assertThat(answer.top(CrossProductAnswer.Measure.EVENTS, 10).get(1)).satisfies(product -> {
            assertThat(product.fromBatch()).isEqualTo(Metrics.EMPTY);
            assertThat(product.fromSpeed().withSketches(null)).isEqualTo(metrics(2, "6.00", 2));
        });
        assertThatThrownBy(() -> view(scenario).acrossProducts(range, 3))
                .isInstanceOf(TooManyProductsException.class)
                .hasMessageContaining("4 products have data, more than the 3");
    }

    @Test
    void statusReportsPointerProgressAndDeadLetters() {
        ViewScenario scenario = new ViewScenario()
                .batchRan("2026-11-24T10:00:00Z")
                .progress("2026-11-24T11:59:00Z", "2026-11-24T00:00:00Z", RETENTION);
        scenario.speed.saveDeadLetters(new io.lambdaplatform.viewstore.DeadLetterCount(0,
                io.lambdaplatform.model.RejectionReason.values()[0], 3), 10);
        scenario.speed.saveDeadLetters(new io.lambdaplatform.viewstore.DeadLetterCount(2,
                io.lambdaplatform.model.RejectionReason.values()[0], 4), 10);

        PlatformStatus status = view(scenario).status();

        assertThat(status.batchAge()).contains(Duration.ofHours(2));
        assertThat(status.speed().lag()).contains(Duration.ofMinutes(1));
        assertThat(status.speed().partitions()).extracting(progress -> progress.partition()).containsExactly(0, 1, 2);
        assertThat(status.deadLetterTotal()).isEqualTo(7);
        assertThat(status.gaps()).isEmpty();
    }

    @Test
    void productsAreTheUnionOfBatchAndSpeedFilteredByPrefix() {
        ViewScenario scenario = new ViewScenario()
                .event("p-1", "2026-11-24T09:00:00Z", "2026-11-24T09:00:00Z", "1.00", 1)
                .batchRan("2026-11-24T10:00:00Z")
                .event("p-2", "2026-11-24T11:00:00Z", "2026-11-24T11:00:00Z", "1.00", 1)
                .event("q-9", "2026-11-24T11:00:00Z", "2026-11-24T11:00:00Z", "1.00", 1);
        scenario.speed.recordProduct("p-2");
        scenario.speed.recordProduct("q-9");

        assertThat(view(scenario).products("p-", 10)).containsExactly("p-1", "p-2");
        assertThat(view(scenario).products("", 2)).containsExactly("p-1", "p-2");
        assertThat(view(scenario).products("", 10)).isEqualTo(List.of("p-1", "p-2", "q-9"));
    }
}
