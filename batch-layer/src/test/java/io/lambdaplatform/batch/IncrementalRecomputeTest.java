package io.lambdaplatform.batch;

import io.lambdaplatform.batch.internal.ViewAggregation;
import io.lambdaplatform.model.EventRules;
import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.model.Sketches;
import io.lambdaplatform.viewstore.BatchBuild;
import io.lambdaplatform.viewstore.BatchVersion;
import io.lambdaplatform.viewstore.BatchViewWriter;
import io.lambdaplatform.viewstore.BatchViews;
import io.lambdaplatform.viewstore.StoredPartition;
import io.lambdaplatform.viewstore.ViewPartition;
import io.lambdaplatform.viewstore.ViewRow;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static io.lambdaplatform.batch.MasterRecords.event;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A full recompute against a full recompute followed by an incremental run, on the same master dataset: identical
 * views, sketches included (every window holds fewer than 200 events: the KLL sketches are exact). And the cases where
 * a run recomputes in full instead.
 */
class IncrementalRecomputeTest {

    private static final Instant C0 = Instant.parse("2026-11-24T11:00:00Z");
    private static final Instant C1 = Instant.parse("2026-11-24T12:00:00Z");
    /** Valid by its fields but its key names another product: an invalid copy of e9. */
    private static final String E9_JSON = "{\"event_id\":\"e9\",\"product_id\":\"p2\",\"revenue\":\"7.00\",\"duration_ms\":7,"
            + "\"event_time\":\"2026-11-24T10:40:00Z\"}";

    private final SparkSession spark = TestSpark.session();
    private BatchConfig config;
    private Path dir;

    @BeforeEach
    void history(@TempDir Path tempDir) {
        dir = tempDir;
        config = TestConfigs.local(dir.resolve("master"));
        new MasterRecords()
                .add(event("e1", "p1", "u1", "10.10", 100, "2026-11-24T10:02:00Z"), "2026-11-24T10:02:01Z", 0, 0)
                .add(event("e2", "p1", "u2", "0.10", 200, "2026-11-24T10:03:00Z"), "2026-11-24T10:03:01Z", 0, 1)
                // Two copies in the old range: the lower partition of the same millisecond counts, with its user.
                .add(event("e3", "p2", "u3", "2.00", 20, "2026-11-24T10:20:00Z"), "2026-11-24T10:20:00Z", 2, 0)
                .add(event("e3", "p2", "u4", "3.00", 30, "2026-11-24T10:20:00Z"), "2026-11-24T10:20:00Z", 1, 0)
                .raw("p9", E9_JSON, "2026-11-24T10:40:00Z", 1, 1)
                .add(event("e4", "p2", "-5.00", 50, "2026-11-23T23:59:59.999Z"), "2026-11-24T10:50:00Z", 1, 2)
                .writeRange(spark, config.masterPath(), "1970-01-01T00:00:00Z", C0.toString());
    }

    /** The second range: new events, late ones into old windows, copies of old events and of an invalid old record. */
    private void newRecords() {
        new MasterRecords()
                // A copy of e1 (first copy below C0) of another user: dropped, its revenue, duration and user never count.
                .add(event("e1", "p1", "u9", "99.99", 999, "2026-11-24T10:02:00Z"), "2026-11-24T11:10:00Z", 0, 2)
                // Late: into yesterday's windows, which the old version already has (e4).
                .add(event("e5", "p2", "u1", "1.25", 5, "2026-11-23T23:58:00Z"), "2026-11-24T11:20:00Z", 1, 3)
                // Late into today's 10:00 windows of p1, of a user they already have.
                .add(event("e6", "p1", "u2", "0.05", 6, "2026-11-24T10:01:00Z"), "2026-11-24T11:21:00Z", 0, 3)
                // e9's first copy below C0 was invalid: this valid copy is the first that counts.
                .add(event("e9", "p9", "u5", "7.00", 7, "2026-11-24T10:40:00Z"), "2026-11-24T11:30:00Z", 2, 1)
                // Two new copies of a new event: the earlier one counts, with its user.
                .add(event("e10", "p1", "u6", "4.00", 40, "2026-11-24T11:40:00Z"), "2026-11-24T11:41:00Z", 2, 2)
                .add(event("e10", "p1", "u7", "5.00", 50, "2026-11-24T11:40:00Z"), "2026-11-24T11:40:00Z", 1, 4)
                // A product the old version never had.
                .add(event("e11", "p7", "1000000000.01", 1, "2026-11-24T11:55:00Z"), "2026-11-24T11:59:59.999Z", 0, 4)
                .raw("p1", "{not json", "2026-11-24T11:50:00Z", 0, 5)
                // At the new cutoff: not covered.
                .add(event("e12", "p1", "1.00", 1, "2026-11-24T11:56:00Z"), C1.toString(), 0, 6)
                .writeRange(spark, config.masterPath(), C0.toString(), "2026-11-24T13:00:00Z");
    }

    @Test
    void anIncrementalRunPublishesExactlyTheViewsOfAFullRecompute() {
        SharedBatchViews incremental = SharedBatchViews.fresh("incremental-" + dir.getFileName());
        RecomputeResult first = RecomputeStage.run(spark, config, C0, incremental, at(C0.plusSeconds(60)));
        newRecords();
        RecomputeResult second = RecomputeStage.run(spark, config, C1, incremental, at(C1.plusSeconds(60)));

        SharedBatchViews full = SharedBatchViews.fresh("full-" + dir.getFileName());
        RecomputeResult recomputed = RecomputeStage.run(spark, config, C1, full, at(C1.plusSeconds(60)));

        assertThat(first.build().kind()).isEqualTo(BatchBuild.Kind.FULL);
        assertThat(first.fullReason()).contains("no version is published yet");
        assertThat(second.build()).isEqualTo(new BatchBuild(2, BatchBuild.Kind.INCREMENTAL, 1, EventRules.VERSION,
                first.build().views(), RecomputePlan.basis(MasterDataset.at(spark, config.masterPath()).manifest(), C1),
                C0.plusSeconds(60)));
        assertThat(second.fullReason()).isEmpty();
        assertThat(recomputed.build().kind()).isEqualTo(BatchBuild.Kind.FULL);

        List<ViewRow> expected = allRows(full.open(), recomputed.version().version());
        assertThat(allRows(incremental.open(), second.version().version())).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(expected).hasSize(17).allSatisfy(row -> assertThat(row.metrics().sketches()).as(row.key().toString()).isNotNull());
        // p1 today: e1 (u1, 100 ms), e2 (u2, 200 ms), e6 (u2, 6 ms), e10's first copy (u7, 50 ms).
        Sketches p1 = expected.stream().filter(row -> row.key().productId().equals("p1") && row.key().window().granularity() == Granularity.ONE_DAY)
                .findFirst().orElseThrow().metrics().sketches();
        assertThat(p1.users().estimate()).isEqualTo(3);
        assertThat(List.of(p1.durations().count(), p1.durations().quantile(0), p1.durations().quantile(0.5), p1.durations().quantile(1)))
                .containsExactly(4L, 6L, 50L, 200L);
        assertThat(second.eventsCounted()).isEqualTo(recomputed.eventsCounted()).isEqualTo(9);
        assertThat(second.viewRows()).isEqualTo(recomputed.viewRows()).isEqualTo(17);
        // Written: the windows the new events change or add. p1: 10:00 5m and 1h (e6), 11:40 5m and 11:00 1h (e10), the
        // day; p2: yesterday's 23:55 5m, 23:00 1h and day (e5); p9 and p7 at every granularity (e9, e11). p2's three
        // windows of the 24th (e3) stay where version 1 stored them.
        assertThat(second.rowsWritten()).isEqualTo(5 + 3 + 3 + 3);
        Instant day = Instant.parse("2026-11-24T00:00:00Z");
        assertThat(incremental.open().partitions(2, "p2", Granularity.FIVE_MINUTES)).containsExactly(
                new StoredPartition(new ViewPartition("p2", Granularity.FIVE_MINUTES, day.minusSeconds(86_400)), 1, 2),
                new StoredPartition(new ViewPartition("p2", Granularity.FIVE_MINUTES, day), 1));
        assertThat(incremental.open().current().orElseThrow().eventCount()).isEqualTo(9);
        // Of the new records only: 9 read, one rejected, e12 above the cutoff, the copies of e1 and e10 dropped.
        assertThat(second.recordsRead()).isEqualTo(8);
        assertThat(second.rejected()).isEqualTo(1);
        assertThat(second.duplicatesDropped()).isEqualTo(2);
        assertThat(first.eventsCounted() + 5).isEqualTo(second.eventsCounted());
    }

    @Test
    void anIncrementalRunOverHistoryArchivedWithoutIdentityFingerprintsEqualsAFullRecompute() {
        MasterRecords.withoutFingerprints(spark, config.masterPath(), MasterDataset.at(spark, config.masterPath()).manifest().get(0));
        SharedBatchViews incremental = SharedBatchViews.fresh("unfingerprinted-" + dir.getFileName());
        RecomputeStage.run(spark, config, C0, incremental, at(C0.plusSeconds(60)));
        newRecords();
        RecomputeResult second = RecomputeStage.run(spark, config, C1, incremental, at(C1.plusSeconds(60)));

        SharedBatchViews full = SharedBatchViews.fresh("full-unfingerprinted-" + dir.getFileName());
        RecomputeResult recomputed = RecomputeStage.run(spark, config, C1, full, at(C1.plusSeconds(60)));

        assertThat(MasterDataset.at(spark, config.masterPath()).manifest()).extracting(ArchivedRange::identityFingerprints).containsExactly(false, true);
        assertThat(second.build().kind()).isEqualTo(BatchBuild.Kind.INCREMENTAL);
        assertThat(allRows(incremental.open(), second.version().version()))
                .containsExactlyInAnyOrderElementsOf(allRows(full.open(), recomputed.version().version()));
        // The copies of e1 (first copy below C0) and e10.
        assertThat(second.duplicatesDropped()).isEqualTo(2);
        assertThat(second.eventsCounted()).isEqualTo(recomputed.eventsCounted()).isEqualTo(9);
    }

    @Test
    void incrementalRunsInARowOverlayTheOverlaysTheyBuildOnAndEqualAFullRecompute() {
        SharedBatchViews incremental = SharedBatchViews.fresh("twice-" + dir.getFileName());
        RecomputeStage.run(spark, config, C0, incremental, at(C0.plusSeconds(60)));
        newRecords();
        RecomputeStage.run(spark, config, C1, incremental, at(C1.plusSeconds(60)));
        new MasterRecords()
                // Into p1's 10:00 window again, which version 2 overlaid: version 3's overlay carries the rest of version 2's.
                .add(event("e13", "p1", "u8", "0.50", 13, "2026-11-24T10:04:00Z"), "2026-11-24T13:01:00Z", 0, 7)
                // A new window in that overlaid partition.
                .add(event("e14", "p1", "u1", "1.00", 14, "2026-11-24T10:07:00Z"), "2026-11-24T13:02:00Z", 1, 5)
                // Into p2's partition of the 24th, shared untouched until now.
                .add(event("e15", "p2", "u3", "2.00", 15, "2026-11-24T10:21:00Z"), "2026-11-24T13:03:00Z", 2, 3)
                // A copy of e10: dropped.
                .add(event("e10", "p1", "u9", "9.00", 90, "2026-11-24T11:40:00Z"), "2026-11-24T13:04:00Z", 0, 8)
                .writeRange(spark, config.masterPath(), "2026-11-24T13:00:00Z", "2026-11-24T14:00:00Z");
        Instant c2 = Instant.parse("2026-11-24T13:30:00Z");
        RecomputeResult third = RecomputeStage.run(spark, config, c2, incremental, at(c2.plusSeconds(60)));

        SharedBatchViews full = SharedBatchViews.fresh("full-twice-" + dir.getFileName());
        RecomputeResult recomputed = RecomputeStage.run(spark, config, c2, full, at(c2.plusSeconds(60)));

        assertThat(third.build().kind()).isEqualTo(BatchBuild.Kind.INCREMENTAL);
        assertThat(third.build().baseVersion()).isEqualTo(2);
        assertThat(allRows(incremental.open(), 3)).containsExactlyInAnyOrderElementsOf(allRows(full.open(), recomputed.version().version()));
        assertThat(third.viewRows()).isEqualTo(recomputed.viewRows());
        // e12 (at C1), e13, e14, e15.
        assertThat(third.eventsCounted()).isEqualTo(recomputed.eventsCounted()).isEqualTo(13);
        Instant day = Instant.parse("2026-11-24T00:00:00Z");
        assertThat(incremental.open().partitions(3, "p1", Granularity.FIVE_MINUTES))
                .containsExactly(new StoredPartition(new ViewPartition("p1", Granularity.FIVE_MINUTES, day), 1, 3));
        assertThat(incremental.open().partitions(3, "p2", Granularity.FIVE_MINUTES)).containsExactly(
                new StoredPartition(new ViewPartition("p2", Granularity.FIVE_MINUTES, day.minusSeconds(86_400)), 1, 2),
                new StoredPartition(new ViewPartition("p2", Granularity.FIVE_MINUTES, day), 1, 3));
    }

    @Test
    void aVersionWithoutSketchesIsRecomputedInFull() {
        // What the release before the sketches recorded and wrote: its definition, rows without sketches.
        String before = "measures event_count=count:scale0 revenue=sum(revenue):scale2 duration_sum_ms=sum(duration_ms):scale0; "
                + "granularities 5m 1h 1d";
        SharedBatchViews current = SharedBatchViews.fresh("current-" + dir.getFileName());
        RecomputeResult computed = RecomputeStage.run(spark, config, C0, current, at(C0.plusSeconds(60)));
        SharedBatchViews store = SharedBatchViews.fresh("before-" + dir.getFileName());
        BatchViews old = store.open();
        BatchVersion version = old.begin(C0, C0.plusSeconds(60));
        try (BatchViewWriter writer = old.writer(version.version())) {
            allRows(current.open(), computed.version().version())
                    .forEach(row -> writer.write(new ViewRow(row.key(), row.metrics().withSketches(null))));
        }
        old.recordBuild(new BatchBuild(version.version(), BatchBuild.Kind.FULL, BatchViews.NO_VERSION, EventRules.VERSION, before,
                computed.build().basis(), C0.plusSeconds(60)));
        old.publish(version.version(), computed.viewRows(), computed.eventsCounted(), C0.plusSeconds(60));
        newRecords();

        RecomputeResult next = RecomputeStage.run(spark, config, C1, store, at(C1.plusSeconds(60)));
        SharedBatchViews full = SharedBatchViews.fresh("full-" + dir.getFileName());
        RecomputeResult recomputed = RecomputeStage.run(spark, config, C1, full, at(C1.plusSeconds(60)));

        assertThat(ViewAggregation.definition()).isEqualTo("measures event_count=count:scale0 revenue=sum(revenue):scale2 "
                + "duration_sum_ms=sum(duration_ms):scale0; sketches unique_users=hll(user_id):lgk12 "
                + "duration_quantiles=kll(duration_ms):k200; granularities 5m 1h 1d");
        assertThat(next.build().kind()).isEqualTo(BatchBuild.Kind.FULL);
        assertThat(next.fullReason().orElseThrow()).isEqualTo("version 1 was aggregated as \"" + before + "\", the views are now \""
                + ViewAggregation.definition() + "\"");
        List<ViewRow> rows = allRows(store.open(), next.version().version());
        assertThat(rows).hasSize(17).containsExactlyInAnyOrderElementsOf(allRows(full.open(), recomputed.version().version()))
                .allSatisfy(row -> assertThat(row.metrics().sketches()).as(row.key().toString()).isNotNull());
    }

    @Test
    void aRunWithNothingNewCopiesTheLiveVersion() {
        SharedBatchViews store = SharedBatchViews.fresh("nothing-" + dir.getFileName());
        RecomputeResult first = RecomputeStage.run(spark, config, C0, store, at(C0.plusSeconds(60)));
        RecomputeResult second = RecomputeStage.run(spark, config, C1, store, at(C1.plusSeconds(60)));

        assertThat(second.build().kind()).isEqualTo(BatchBuild.Kind.INCREMENTAL);
        assertThat(allRows(store.open(), 2)).containsExactlyInAnyOrderElementsOf(allRows(store.open(), 1));
        assertThat(second.eventsCounted()).isEqualTo(first.eventsCounted());
        assertThat(second.recordsRead()).isZero();
    }

    @Test
    void fullWhenAskedFor() {
        SharedBatchViews store = SharedBatchViews.fresh("asked-" + dir.getFileName());
        RecomputeStage.run(spark, config, C0, store, at(C0.plusSeconds(60)));
        newRecords();
        RecomputeResult second = RecomputeStage.run(spark, config.withRecompute(config.recompute().withFull(true)), C1, store,
                at(C1.plusSeconds(60)));

        assertThat(second.build().kind()).isEqualTo(BatchBuild.Kind.FULL);
        assertThat(second.build().lastFullAt()).isEqualTo(C1.plusSeconds(60));
        assertThat(second.fullReason().orElseThrow()).contains("--full");
    }

    @Test
    void fullOnceTheNewestFullRecomputeIsOlderThanFullEvery() {
        SharedBatchViews store = SharedBatchViews.fresh("schedule-" + dir.getFileName());
        BatchConfig hourly = config.withRecompute(new RecomputePolicy(false, Duration.ofMinutes(90)));
        RecomputeStage.run(spark, hourly, Instant.parse("2026-11-24T10:30:00Z"), store, at(Instant.parse("2026-11-24T10:31:00Z")));
        RecomputeResult second = RecomputeStage.run(spark, hourly, C0, store, at(C0.plusSeconds(60)));
        newRecords();
        RecomputeResult third = RecomputeStage.run(spark, hourly, C1, store, at(C1.plusSeconds(60)));

        assertThat(second.build().kind()).isEqualTo(BatchBuild.Kind.INCREMENTAL);
        assertThat(second.build().lastFullAt()).isEqualTo(Instant.parse("2026-11-24T10:31:00Z"));
        assertThat(third.build().kind()).isEqualTo(BatchBuild.Kind.FULL);
        assertThat(third.fullReason().orElseThrow()).startsWith("scheduled: the newest full recompute under version 2 started at "
                + "2026-11-24T10:31:00Z");
    }

    @Test
    void fullAfterARollback() {
        SharedBatchViews store = SharedBatchViews.fresh("rollback-" + dir.getFileName());
        RecomputeStage.run(spark, config, Instant.parse("2026-11-24T10:30:00Z"), store, at(Instant.parse("2026-11-24T10:31:00Z")));
        RecomputeStage.run(spark, config, C0, store, at(C0.plusSeconds(60)));
        assertThat(store.open().rollback()).map(BatchVersion::version).contains(1L);
        newRecords();
        RecomputeResult third = RecomputeStage.run(spark, config, C1, store, at(C1.plusSeconds(60)));

        assertThat(third.build().kind()).isEqualTo(BatchBuild.Kind.FULL);
        assertThat(third.fullReason().orElseThrow()).contains("the live version 1 is older than the newest published version 2");
    }

    @Test
    void fullWhenAnImportAddedRecordsBelowTheLiveVersionsCutoff() {
        SharedBatchViews store = SharedBatchViews.fresh("import-" + dir.getFileName());
        RecomputeStage.run(spark, config, C0, store, at(C0.plusSeconds(60)));
        Instant importTime = Instant.parse("2026-11-24T10:59:00Z");
        MasterDataset.at(spark, config.masterPath()).write("import_test", ArchivedRange.Source.IMPORT, importTime, importTime, "file:/x",
                new MasterRecords().add(event("e20", "p1", "1.00", 1, "2026-11-24T10:10:00Z"), importTime.toString(), -1, 0)
                        .toDataset(spark));
        RecomputeResult second = RecomputeStage.run(spark, config, C1, store, at(C1.plusSeconds(60)));

        assertThat(second.build().kind()).isEqualTo(BatchBuild.Kind.FULL);
        assertThat(second.fullReason().orElseThrow()).contains("changed since it was computed (1 ranges");
        assertThat(second.eventsCounted()).isEqualTo(5);
    }

    @Test
    void fullWhenARangeArchivedLaterHoldsRecordsBelowTheLiveVersionsCutoff() {
        SharedBatchViews store = SharedBatchViews.fresh("late-" + dir.getFileName());
        RecomputeStage.run(spark, config, C0, store, at(C0.plusSeconds(60)));
        new MasterRecords()
                .add(event("e21", "p1", "1.00", 1, "2026-11-24T10:10:00Z"), "2026-11-24T10:59:59Z", 3, 0)
                .writeRange(spark, config.masterPath(), C0.toString(), C1.toString());
        RecomputeResult second = RecomputeStage.run(spark, config, C1, store, at(C1.plusSeconds(60)));

        assertThat(second.fullReason()).contains("1 record(s) archived after version 1 have an ingest time below its cutoff " + C0);
        assertThat(second.eventsCounted()).isEqualTo(5);
    }

    @Test
    void fullWhenTheLiveVersionWasJudgedWithOtherRulesOrAggregatedOtherwiseOrRecordsNothing() {
        SharedBatchViews store = SharedBatchViews.fresh("rules-" + dir.getFileName());
        RecomputeResult first = RecomputeStage.run(spark, config, C0, store, at(C0.plusSeconds(60)));
        BatchBuild built = first.build();
        BatchViews views = store.open();
        views.recordBuild(new BatchBuild(1, built.kind(), built.baseVersion(), EventRules.VERSION + 1, built.views(), built.basis(),
                built.lastFullAt()));
        assertThat(plan(views, C1).fullReason().orElseThrow())
                .isEqualTo("version 1 was judged with rules version " + (EventRules.VERSION + 1) + ", the rules are version " + EventRules.VERSION);

        views.recordBuild(new BatchBuild(1, built.kind(), built.baseVersion(), built.rulesVersion(), "measures event_count=count:scale0",
                built.basis(), built.lastFullAt()));
        assertThat(plan(views, C1).fullReason().orElseThrow()).startsWith("version 1 was aggregated as \"measures event_count=count:scale0\"");

        views.recordBuild(built);
        assertThat(plan(views, C1).isIncremental()).isTrue();

        SharedBatchViews unrecorded = SharedBatchViews.fresh("unrecorded-" + dir.getFileName());
        BatchVersion old = unrecorded.open().begin(C0, C0);
        unrecorded.open().publish(old.version(), 0, 0, C0);
        assertThat(plan(unrecorded.open(), C1).fullReason().orElseThrow())
                .isEqualTo("version 1 does not record how it was computed (published by an earlier release)");
    }

    private RecomputePlan plan(BatchViews views, Instant cutoff) {
        MasterDataset master = MasterDataset.at(spark, config.masterPath());
        return RecomputePlan.choose(config, views, master, master.manifest(), cutoff, cutoff.plusSeconds(60));
    }

    private static List<ViewRow> allRows(BatchViews views, long version) {
        return views.rows(version, views.products(version));
    }

    private static Clock at(Instant now) {
        return Clock.fixed(now, ZoneOffset.UTC);
    }
}
