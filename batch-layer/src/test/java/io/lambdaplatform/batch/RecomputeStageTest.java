package io.lambdaplatform.batch;

import io.lambdaplatform.model.EventWindow;
import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.model.Metrics;
import io.lambdaplatform.model.Sketches;
import io.lambdaplatform.model.ViewKey;
import io.lambdaplatform.viewstore.BatchVersion;
import io.lambdaplatform.viewstore.BatchViews;
import io.lambdaplatform.viewstore.ViewRow;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static io.lambdaplatform.batch.MasterRecords.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

class RecomputeStageTest {

    private static final Instant CUTOFF = Instant.parse("2026-11-24T12:00:00Z");
    private static final Instant ALL_TIME = Instant.parse("2020-01-01T00:00:00Z");

    private final SparkSession spark = TestSpark.session();
    private BatchConfig config;
    private SharedBatchViews factory;

    @BeforeEach
    void masterDataset(@TempDir Path dir) {
        config = TestConfigs.local(dir.resolve("master"));
        factory = SharedBatchViews.fresh("recompute-" + dir.getFileName());

        new MasterRecords()
                .add(event("e1", "p1", "10.10", 100, "2026-11-24T10:02:00Z"), "2026-11-24T10:02:01Z", 0, 0)
                .add(event("e2", "p1", "0.10", 200, "2026-11-24T10:03:00Z"), "2026-11-24T10:03:01Z", 0, 1)
                .add(event("e3", "p1", "0.20", 300, "2026-11-24T10:07:00Z"), "2026-11-24T10:07:01Z", 0, 2)
                .raw("p1", "{not json", "2026-11-24T10:08:00Z", 0, 3)
                .raw("p9", "{\"event_id\":\"e4\",\"product_id\":\"p2\",\"revenue\":\"1.00\",\"duration_ms\":1,"
                        + "\"event_time\":\"2026-11-24T10:09:00Z\"}", "2026-11-24T10:09:00Z", 1, 0)
                // Late: event time on the previous day, ingested today.
                .add(event("e5", "p2", "-5.00", 50, "2026-11-23T23:59:59.999Z"), "2026-11-24T10:10:00Z", 1, 1)
                // Two copies ingested in the same millisecond: the lower partition wins.
                .add(event("e8", "p3", "2.00", 20, "2026-11-24T10:20:00Z"), "2026-11-24T10:20:00Z", 2, 0)
                .add(event("e8", "p3", "3.00", 30, "2026-11-24T10:20:00Z"), "2026-11-24T10:20:00Z", 1, 7)
                .writeRange(spark, config.masterPath(), "1970-01-01T00:00:00Z", "2026-11-24T11:00:00Z");
        new MasterRecords()
                // A copy of e1 in a later file: the first ingested copy (10.10) counts.
                .add(event("e1", "p1", "99.99", 999, "2026-11-24T10:02:00Z"), "2026-11-24T11:30:00Z", 0, 4)
                .add(event("e6", "p1", "1000000000.01", 1, "2026-11-24T11:55:00Z"), "2026-11-24T11:59:59.999Z", 0, 5)
                // At the cutoff: not covered by this version.
                .add(event("e7", "p1", "1.00", 1, "2026-11-24T11:56:00Z"), "2026-11-24T12:00:00Z", 0, 6)
                .writeRange(spark, config.masterPath(), "2026-11-24T11:00:00Z", "2026-11-24T13:00:00Z");
    }

    @Test
    void aggregatesTheFirstCopyOfEveryValidEventIngestedBeforeTheCutoffAtEveryGranularity() {
        RecomputeResult result = RecomputeStage.run(spark, config, CUTOFF, factory, Clock.fixed(CUTOFF.plusSeconds(300), ZoneOffset.UTC));

        BatchViews views = factory.open();
        assertThat(rows(views, "p1", Granularity.FIVE_MINUTES)).containsExactly(
                row("p1", Granularity.FIVE_MINUTES, "2026-11-24T10:00:00Z", 2, "10.20", 300),
                row("p1", Granularity.FIVE_MINUTES, "2026-11-24T10:05:00Z", 1, "0.20", 300),
                row("p1", Granularity.FIVE_MINUTES, "2026-11-24T11:55:00Z", 1, "1000000000.01", 1));
        assertThat(rows(views, "p1", Granularity.ONE_HOUR)).containsExactly(
                row("p1", Granularity.ONE_HOUR, "2026-11-24T10:00:00Z", 3, "10.40", 600),
                row("p1", Granularity.ONE_HOUR, "2026-11-24T11:00:00Z", 1, "1000000000.01", 1));
        assertThat(rows(views, "p1", Granularity.ONE_DAY)).containsExactly(
                row("p1", Granularity.ONE_DAY, "2026-11-24T00:00:00Z", 4, "1000000010.41", 601));
        assertThat(rows(views, "p2", Granularity.FIVE_MINUTES)).containsExactly(
                row("p2", Granularity.FIVE_MINUTES, "2026-11-23T23:55:00Z", 1, "-5.00", 50));
        assertThat(rows(views, "p2", Granularity.ONE_HOUR)).containsExactly(
                row("p2", Granularity.ONE_HOUR, "2026-11-23T23:00:00Z", 1, "-5.00", 50));
        assertThat(rows(views, "p2", Granularity.ONE_DAY)).containsExactly(
                row("p2", Granularity.ONE_DAY, "2026-11-23T00:00:00Z", 1, "-5.00", 50));
        assertThat(rows(views, "p3", Granularity.FIVE_MINUTES)).containsExactly(
                row("p3", Granularity.FIVE_MINUTES, "2026-11-24T10:20:00Z", 1, "3.00", 30));

        assertThat(views.products(result.version().version())).containsExactly("p1", "p2", "p3");
        assertThat(result.recordsRead()).isEqualTo(10);
        assertThat(result.rejectedByReason()).containsExactly(entry("key-mismatch", 1L), entry("malformed-json", 1L));
        assertThat(result.duplicatesDropped()).isEqualTo(2);
        assertThat(result.eventsCounted()).isEqualTo(6);
        assertThat(result.viewRows()).isEqualTo(12);
    }

    @Test
    void publishesTheNewVersionWithItsCutoffAndCountsOnlyOnceEveryRowIsWritten() {
        Instant now = CUTOFF.plusSeconds(300);
        RecomputeResult result = RecomputeStage.run(spark, config, CUTOFF, factory, Clock.fixed(now, ZoneOffset.UTC));

        BatchVersion expected = new BatchVersion(1, CUTOFF, now, now, 12, 6);
        assertThat(result.version()).isEqualTo(expected);
        assertThat(factory.open().current()).contains(expected);
    }

    @Test
    void anEarlierCutoffCoversOnlyTheEventsIngestedBeforeIt() {
        Instant earlier = Instant.parse("2026-11-24T10:05:00Z");
        RecomputeStage.run(spark, config, earlier, factory, Clock.fixed(CUTOFF, ZoneOffset.UTC));

        BatchViews views = factory.open();
        assertThat(rows(views, "p1", Granularity.ONE_DAY)).containsExactly(
                row("p1", Granularity.ONE_DAY, "2026-11-24T00:00:00Z", 2, "10.20", 300));
        assertThat(views.products(1)).containsExactly("p1");
        assertThat(views.current().orElseThrow().eventCount()).isEqualTo(2);
    }

    @Test
    void sketchesTheDurationsAndUsersOfTheFirstCopies() {
        RecomputeStage.run(spark, config, CUTOFF, factory, Clock.fixed(CUTOFF.plusSeconds(300), ZoneOffset.UTC));

        BatchViews views = factory.open();
        long version = views.current().orElseThrow().version();
        Sketches day = views.read(version, "p1", Granularity.ONE_DAY, ALL_TIME, ALL_TIME.plusSeconds(3650L * 86400)).get(0).metrics().sketches();

        // e1 (its first copy: 100 ms), e2, e3, e6; no event names a user.
        assertThat(day.durations().count()).isEqualTo(4);
        assertThat(List.of(day.durations().quantile(0), day.durations().quantile(0.5), day.durations().quantile(1))).containsExactly(1L, 100L, 300L);
        assertThat(day.users().isEmpty()).isTrue();
    }

    /** The rows' exact measures (their sketches left out). */
    private static List<ViewRow> rows(BatchViews views, String product, Granularity granularity) {
        long version = views.current().orElseThrow().version();
        return exact(views.read(version, product, granularity, ALL_TIME, ALL_TIME.plusSeconds(3650L * 86400)));
    }

    /** The rows' exact measures, their sketches left out. */
    static List<ViewRow> exact(List<ViewRow> rows) {
        return rows.stream().map(row -> new ViewRow(row.key(), row.metrics().withSketches(null))).toList();
    }

    static ViewRow row(String product, Granularity granularity, String start, long count, String revenue, long durationMs) {
        return new ViewRow(new ViewKey(product, new EventWindow(granularity, Instant.parse(start))),
                new Metrics(count, new BigDecimal(revenue), durationMs));
    }
}
