package io.lambdaplatform.serving;

import io.lambdaplatform.model.EventWindow;
import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.viewstore.ViewRow;
import io.lambdaplatform.model.Metrics;
import io.lambdaplatform.viewstore.BatchVersion;
import io.lambdaplatform.viewstore.BatchViews;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class BatchRowCacheTest {

    private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");
    private static final EventWindow TEN = new EventWindow(Granularity.ONE_HOUR, Instant.parse("2026-11-24T10:00:00Z"));
    private static final MetricsQuery QUERY = new MetricsQuery("p-1", Granularity.ONE_HOUR,
            Instant.parse("2026-11-24T00:00:00Z"), Instant.parse("2026-11-24T12:00:00Z"));

    /** Events at 10:10 ingested 10:10:02, 10:20 ingested 10:40, 10:50 ingested 11:20: the cutoff decides who counts them. */
    private static ViewScenario scenario() {
        return new ViewScenario()
                .event("p-1", "2026-11-24T10:10:00Z", "2026-11-24T10:10:02Z", "1.00", 100)
                .event("p-1", "2026-11-24T10:20:00Z", "2026-11-24T10:40:00Z", "2.00", 200)
                .event("p-1", "2026-11-24T10:50:00Z", "2026-11-24T11:20:00Z", "4.00", 400)
                .speedLayerRan();
    }

    private static MergedView view(ViewScenario scenario, BatchRowCache cache) {
        return new MergedView(scenario.batch, scenario.speed, cache, new ViewStateCache(Duration.ZERO), 4, Clock.fixed(NOW, ZoneOffset.UTC), new SimpleMeterRegistry(), Runnable::run);
    }

    private static Metrics fromBatch(MetricsAnswer answer) {
        return answer.windows().stream().filter(window -> window.window().equals(TEN)).findFirst().orElseThrow().fromBatch();
    }

    private static Metrics metrics(long count, String revenue, long durationSumMs) {
        return new Metrics(count, new BigDecimal(revenue), durationSumMs);
    }

    @Test
    void aFlipAndARollbackChangeTheAnswerAtOnce() {
        ViewScenario scenario = scenario().batchRan("2026-11-24T10:30:00Z");
        MergedView view = view(scenario, new BatchRowCache(10_000));
        assertThat(fromBatch(view.answer(QUERY)).withSketches(null)).isEqualTo(metrics(1, "1.00", 100));
        assertThat(fromBatch(view.answer(QUERY)).withSketches(null)).isEqualTo(metrics(1, "1.00", 100));

        scenario.batchRan("2026-11-24T11:00:00Z");
        MetricsAnswer flipped = view.answer(QUERY);
        assertThat(flipped.batchVersion().version()).isEqualTo(2);
        assertThat(fromBatch(flipped).withSketches(null)).isEqualTo(metrics(2, "3.00", 300));
        assertThat(flipped.windows()).singleElement().satisfies(window -> assertThat(window.total().withSketches(null)).isEqualTo(metrics(3, "7.00", 700)));

        assertThat(scenario.batch.rollback()).hasValueSatisfying(version -> assertThat(version.version()).isEqualTo(1));
        MetricsAnswer rolledBack = view.answer(QUERY);
        assertThat(rolledBack.batchVersion().version()).isEqualTo(1);
        assertThat(fromBatch(rolledBack).withSketches(null)).isEqualTo(metrics(1, "1.00", 100));
        assertThat(rolledBack.windows()).singleElement().satisfies(window -> assertThat(window.total().withSketches(null)).isEqualTo(metrics(3, "7.00", 700)));
    }

    @Test
    void aPartitionIsReadOnceForEveryRangeInsideIt() {
        ViewScenario scenario = scenario().batchRan("2026-11-24T11:00:00Z");
        AtomicInteger reads = new AtomicInteger();
        BatchViews counting = countingReads(scenario.batch, reads);
        BatchRowCache cache = new BatchRowCache(10_000);

        assertThat(cache.read(counting, 1, "p-1", Granularity.ONE_HOUR, QUERY.from(), QUERY.to())).hasSize(1);
        assertThat(cache.read(counting, 1, "p-1", Granularity.ONE_HOUR, TEN.start(), TEN.end())).hasSize(1);
        assertThat(cache.read(counting, 1, "p-1", Granularity.ONE_HOUR, QUERY.from(), TEN.start())).isEmpty();

        assertThat(reads).hasValue(1);
        assertThat(cache.partitionCount()).isEqualTo(1);
    }

    @Test
    void thePartitionsANewVersionSharesAreNotReadAgainAfterTheFlip() {
        ViewScenario scenario = scenario().batchRan("2026-11-24T11:00:00Z");
        AtomicInteger reads = new AtomicInteger();
        BatchViews counting = countingReads(scenario.batch, reads);
        BatchRowCache cache = new BatchRowCache(10_000);
        List<ViewRow> before = cache.read(counting, 1, "p-1", Granularity.ONE_HOUR, QUERY.from(), QUERY.to());

        BatchVersion next = scenario.batch.begin(Instant.parse("2026-11-24T11:30:00Z"), NOW);
        scenario.batch.extend(next.version(), 1, Set.of());
        scenario.batch.publish(next.version(), 1, 3, NOW);

        assertThat(cache.read(counting, next.version(), "p-1", Granularity.ONE_HOUR, QUERY.from(), QUERY.to())).hasSize(1).isEqualTo(before);
        assertThat(reads).as("one read of the partition, by version 1").hasValue(1);
        assertThat(cache.partitionCount()).isEqualTo(1);
    }

    private static BatchViews countingReads(BatchViews batch, AtomicInteger reads) {
        return (BatchViews) Proxy.newProxyInstance(BatchViews.class.getClassLoader(), new Class<?>[] {BatchViews.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("read")) {
                        reads.incrementAndGet();
                    }
                    try {
                        return method.invoke(batch, args);
                    }
                    catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Test
    void holdsNoMoreRowsThanItsBound() {
        ViewScenario scenario = scenario().batchRan("2026-11-24T11:00:00Z");
        BatchRowCache none = new BatchRowCache(0);

        assertThat(none.read(scenario.batch, 1, "p-1", Granularity.FIVE_MINUTES, QUERY.from(), QUERY.to())).hasSize(2);
        assertThat(none.partitionCount()).isZero();
    }

    @Test
    void weighsEachRowByWhatItsSketchesTakeAndHoldsNoMoreBytesThanItsBound() {
        ViewScenario scenario = scenario();
        for (int i = 0; i < 3_000; i++) {
            scenario.eventOfUser("p-9", "u-" + i, "2026-11-24T10:0" + (i % 10) + ":00Z", "2026-11-24T10:00:00Z", i);
        }
        scenario.batchRan("2026-11-24T11:00:00Z");
        ViewRow heavy = scenario.batch.read(1, "p-9", Granularity.ONE_HOUR, TEN.start(), TEN.end()).get(0);
        ViewRow exactOnly = new ViewRow(heavy.key(), heavy.metrics().withSketches(null));
        long sketchBytes = heavy.metrics().sketches().users().bytes().remaining() + heavy.metrics().sketches().durations().bytes().remaining();

        assertThat(BatchRowCache.weight(exactOnly)).isEqualTo(BatchRowCache.ROW_BYTES);
        assertThat(BatchRowCache.weight(heavy)).isEqualTo(BatchRowCache.ROW_BYTES + 2 * sketchBytes).isGreaterThan(5_000);

        BatchRowCache small = new BatchRowCache(BatchRowCache.weight(heavy));
        assertThat(small.read(scenario.batch, 1, "p-9", Granularity.ONE_HOUR, TEN.start(), TEN.end())).containsExactly(heavy);
        assertThat(small.partitionCount()).as("the row and its partition's own weight pass the bound").isZero();
        BatchRowCache enough = new BatchRowCache(2 * BatchRowCache.weight(heavy));
        enough.read(scenario.batch, 1, "p-9", Granularity.ONE_HOUR, TEN.start(), TEN.end());
        assertThat(enough.partitionCount()).isEqualTo(1);
    }
}
