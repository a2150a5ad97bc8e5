package io.lambdaplatform.viewstore;

import io.lambdaplatform.model.EventWindow;
import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.model.Metrics;
import io.lambdaplatform.model.RejectionReason;
import io.lambdaplatform.model.ViewKey;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** What every {@link SpeedViews} must do; runs on the fake here and on Cassandra in integration-tests. */
public abstract class SpeedViewsContract {

    private static final Instant DAY = Instant.parse("2026-11-24T00:00:00Z");

    private SpeedViews views;

    /** A store with no rows. */
    protected abstract SpeedViews newStore();

    @BeforeEach
    void freshStore() {
        views = newStore();
    }

    @Test
    void anUpsertReplacesTheRowOfTheSameWindowAndBucket() {
        views.upsert(delta("p1", DAY, DAY.plusSeconds(60), 2, "3.50", 25)).toCompletableFuture().join();
        views.upsert(delta("p1", DAY, DAY.plusSeconds(60), 2, "3.50", 25)).toCompletableFuture().join();

        assertThat(views.read("p1", DAY, DAY.plusSeconds(300))).containsExactly(delta("p1", DAY, DAY.plusSeconds(60), 2, "3.50", 25));
    }

    @Test
    void aStaleWriteOfARowArrivingLastDoesNotReplaceTheNewerOne() {
        ViewKey key = key("p1", DAY);
        // A paused instance folded offsets up to 6 of partition 0; the instance that took over got up to 10 and wrote first.
        views.write(SpeedRow.aggregate(key, DAY, 0, metrics(5, "5.00", 50), 10)).toCompletableFuture().join();
        views.write(SpeedRow.aggregate(key, DAY, 0, metrics(3, "3.00", 30), 6)).toCompletableFuture().join();

        assertThat(views.read("p1", DAY, DAY.plusSeconds(300))).containsExactly(delta("p1", DAY, DAY, 5, "5.00", 50));

        views.write(SpeedRow.aggregate(key, DAY, 0, metrics(6, "6.50", 51), 11)).toCompletableFuture().join();

        assertThat(views.read("p1", DAY, DAY.plusSeconds(300))).containsExactly(delta("p1", DAY, DAY, 6, "6.50", 51));
    }

    @Test
    void writesAProductsRowsTogetherAcrossIngestDaysEachOrderedByItsOwnVersion() {
        ViewKey key = key("p1", DAY);
        // Written alone first, by a newer version than the same row in the list below.
        views.write(SpeedRow.aggregate(key, DAY, 0, metrics(9, "9.00", 90), 1_000)).toCompletableFuture().join();
        List<SpeedRow> rows = new ArrayList<>();
        for (int minute = 0; minute < 70; minute++) {
            rows.add(SpeedRow.aggregate(key, DAY.plusSeconds(60L * minute), 0, metrics(1, "1.00", minute), minute + 1));
            rows.add(SpeedRow.aggregate(key, DAY.plusSeconds(86_400 + 60L * minute), 1, metrics(2, "0.50", minute), minute + 1));
        }

        views.write(rows).toCompletableFuture().join();

        List<SpeedDelta> read = views.read("p1", DAY, DAY.plusSeconds(300));
        assertThat(read).hasSize(140);
        assertThat(read.get(0)).isEqualTo(delta("p1", DAY, DAY, 9, "9.00", 90));
        assertThat(read.get(1)).isEqualTo(delta("p1", DAY, DAY.plusSeconds(60), 1, "1.00", 1));
        assertThat(read.get(139)).isEqualTo(delta("p1", DAY, DAY.plusSeconds(86_400 + 60 * 69), 2, "0.50", 69));
        assertThat(read.stream().mapToLong(delta -> delta.metrics().eventCount()).sum()).isEqualTo(9 + 69 + 2 * 70);
    }

    @Test
    void rowsOfEverySourcePartitionAndTheirCorrectionsAddUpPerWindowAndBucket() {
        ViewKey key = key("p1", DAY);
        views.write(SpeedRow.aggregate(key, DAY, 0, metrics(2, "3.00", 30), 4)).toCompletableFuture().join();
        views.write(SpeedRow.aggregate(key, DAY, 1, metrics(1, "10.00", 7), 9)).toCompletableFuture().join();
        // The copy counted from partition 1 is taken back: partition 0 had an earlier copy, at offset 5.
        views.write(SpeedRow.correction(key, DAY, 1, metrics(1, "10.00", 7), 0, 5)).toCompletableFuture().join();
        views.write(SpeedRow.correction(key, DAY, 1, metrics(1, "10.00", 7), 0, 5)).toCompletableFuture().join();
        views.write(SpeedRow.aggregate(key, DAY.plusSeconds(60), 1, metrics(1, "-1.00", 2), 12)).toCompletableFuture().join();

        assertThat(views.read("p1", DAY, DAY.plusSeconds(300))).containsExactly(
                delta("p1", DAY, DAY, 2, "3.00", 30),
                delta("p1", DAY, DAY.plusSeconds(60), 1, "-1.00", 2));
    }

    @Test
    void mergesTheSketchesOfEverySourcePartitionsRowAndKeepsThemThroughACorrection() {
        ViewKey key = key("p1", DAY);
        Metrics partition0 = events(0, 3, "a", "b");
        Metrics partition1 = events(10, 2, "b", "c");
        views.write(SpeedRow.aggregate(key, DAY, 0, partition0, 4)).toCompletableFuture().join();
        views.write(SpeedRow.aggregate(key, DAY, 1, partition1, 9)).toCompletableFuture().join();
        views.write(SpeedRow.correction(key, DAY, 1, events(10, 1, "b"), 0, 5)).toCompletableFuture().join();

        SpeedDelta read = views.read("p1", DAY, DAY.plusSeconds(300)).get(0);

        assertThat(read.metrics().eventCount()).isEqualTo(4);
        assertThat(read.metrics().sketches()).isEqualTo(partition0.merge(partition1).sketches());
        assertThat(read.metrics().sketches().users().estimate()).isEqualTo(3);
        assertThat(read.metrics().sketches().durations().count()).as("a sketch cannot take the corrected copy back").isEqualTo(5);
    }

    @Test
    void aCellWithARowWrittenWithoutSketchesHasNone() {
        ViewKey key = key("p1", DAY);
        views.write(SpeedRow.aggregate(key, DAY, 0, events(0, 2, "a"), 4)).toCompletableFuture().join();
        views.write(SpeedRow.aggregate(key, DAY, 1, metrics(1, "1.00", 5), 9)).toCompletableFuture().join();

        SpeedDelta read = views.read("p1", DAY, DAY.plusSeconds(300)).get(0);

        assertThat(read.metrics().eventCount()).isEqualTo(3);
        assertThat(read.metrics().sketches()).isNull();
    }

    /** The aggregate of {@code count} events with durations from {@code firstDuration}, the users taken in turn. */
    private static Metrics events(long firstDuration, int count, String... users) {
        Metrics metrics = Metrics.EMPTY;
        for (int i = 0; i < count; i++) {
            metrics = metrics.merge(Metrics.of(new io.lambdaplatform.model.Event("e-" + firstDuration + "-" + i, "p1",
                    users[i % users.length], BigDecimal.ONE, firstDuration + i, DAY)));
        }
        return metrics;
    }

    @Test
    void keepsOneRowPerIngestBucket() {
        SpeedDelta early = delta("p1", DAY, DAY.plusSeconds(60), 1, "1.00", 10);
        SpeedDelta late = delta("p1", DAY, DAY.plusSeconds(7200), 1, "-1.00", 20);
        views.upsert(late).toCompletableFuture().join();
        views.upsert(early).toCompletableFuture().join();

        assertThat(views.read("p1", DAY, DAY.plusSeconds(300))).containsExactly(early, late);
    }

    @Test
    void readsTheRequestedProductAndWindowRangeAcrossDays() {
        SpeedDelta yesterday = delta("p1", DAY.minusSeconds(300), DAY, 1, "1.00", 1);
        SpeedDelta today = delta("p1", DAY.plusSeconds(3600), DAY.plusSeconds(3600), 1, "2.00", 2);
        views.upsert(yesterday).toCompletableFuture().join();
        views.upsert(today).toCompletableFuture().join();
        views.upsert(delta("p2", DAY, DAY, 1, "3.00", 3)).toCompletableFuture().join();
        views.upsert(delta("p1", DAY.plusSeconds(86_400), DAY, 1, "4.00", 4)).toCompletableFuture().join();

        assertThat(views.read("p1", DAY.minusSeconds(3600), DAY.plusSeconds(86_400))).containsExactly(yesterday, today);
        assertThat(views.read("p3", DAY, DAY.plusSeconds(86_400))).isEmpty();
    }

    @Test
    void readsOnlyTheIngestBucketsFromTheGivenOneOnAcrossIngestDays() {
        SpeedDelta lateFromYesterday = delta("p1", DAY.minusSeconds(86_400), DAY.plusSeconds(600), 1, "1.00", 1);
        SpeedDelta beforeCutoff = delta("p1", DAY, DAY.plusSeconds(60), 1, "2.00", 2);
        SpeedDelta atCutoff = delta("p1", DAY, DAY.plusSeconds(120), 1, "4.00", 4);
        SpeedDelta nextDay = delta("p1", DAY.plusSeconds(600), DAY.plusSeconds(86_400 + 60), 1, "8.00", 8);
        for (SpeedDelta delta : List.of(lateFromYesterday, beforeCutoff, atCutoff, nextDay)) {
            views.upsert(delta).toCompletableFuture().join();
        }

        assertThat(views.read("p1", DAY.minusSeconds(86_400), DAY.plusSeconds(86_400), DAY.plusSeconds(120)))
                .containsExactly(lateFromYesterday, atCutoff, nextDay);
        assertThat(views.read("p1", DAY, DAY.plusSeconds(300), DAY.plusSeconds(120))).containsExactly(atCutoff);
        assertThat(views.read("p1", DAY.minusSeconds(86_400), DAY.plusSeconds(86_400), DAY.plusSeconds(2 * 86_400))).isEmpty();
        assertThat(views.read("p1", DAY.minusSeconds(86_400), DAY.plusSeconds(86_400)))
                .containsExactly(lateFromYesterday, beforeCutoff, atCutoff, nextDay);
    }

    @Test
    void aReadUpToAnIngestTimeHoldsEveryRowIngestedUpToItWhateverDaysItSpans() {
        // Rows ingested on four days, the latest three days after the first; a product's days are listed or derived.
        List<SpeedDelta> rows = new ArrayList<>();
        for (int day = 0; day < 4; day++) {
            rows.add(delta("p1", DAY.plusSeconds(300L * day), DAY.plusSeconds(86_400L * day + 3_600), 1, day + ".00", day));
            rows.add(delta("p1", DAY.plusSeconds(300L * day), DAY.plusSeconds(86_400L * day + 86_340), 1, day + ".50", day));
        }
        rows.forEach(delta -> views.upsert(delta).toCompletableFuture().join());
        Instant from = DAY.minusSeconds(86_400);
        Instant to = DAY.plusSeconds(86_400);

        for (int firstDay = 0; firstDay < 4; firstDay++) {
            for (int lastDay = firstDay; lastDay < 4; lastDay++) {
                Instant ingestFrom = DAY.plusSeconds(86_400L * firstDay + 1_800);
                Instant ingestUntil = DAY.plusSeconds(86_400L * lastDay + 3_600);
                List<SpeedDelta> expected = rows.stream()
                        .filter(row -> !row.ingestBucket().isBefore(ingestFrom) && !row.ingestBucket().isAfter(ingestUntil))
                        .toList();
                List<SpeedDelta> read = views.read("p1", from, to, ingestFrom, ingestUntil);
                assertThat(read).as("from day %d to day %d", firstDay, lastDay).allMatch(row -> !row.ingestBucket().isBefore(ingestFrom))
                        .containsAll(expected)
                        .isSubsetOf(views.read("p1", from, to, ingestFrom));
            }
        }
        assertThat(views.read("p1", from, to, DAY.plusSeconds(86_400), DAY)).as("an empty span reads like an unbounded read")
                .isEqualTo(views.read("p1", from, to, DAY.plusSeconds(86_400)));
    }

    @Test
    void aNewStoreHasNoEarlierRowsToCopyAndKeepsTheMarkerRecorded() {
        assertThat(views.legacyRowsCopy()).contains(LegacyRowsCopy.NOTHING_TO_COPY);

        LegacyRowsCopy copy = new LegacyRowsCopy(DAY, 42, DAY.plusSeconds(60));
        views.recordLegacyRowsCopy(copy);

        assertThat(views.legacyRowsCopy()).contains(copy);
    }

    @Test
    void listsRecordedProducts() {
        views.recordProduct("p2").toCompletableFuture().join();
        views.recordProduct("p1").toCompletableFuture().join();
        views.recordProduct("p2").toCompletableFuture().join();

        assertThat(views.products()).containsExactly("p1", "p2");
    }

    @Test
    void listsTheFirstProductsWithAPrefix() {
        for (String product : List.of("shoe-2", "shirt-1", "shoe-1", "shoe-3", "shoex")) {
            views.recordProduct(product).toCompletableFuture().join();
        }

        assertThat(views.products("shoe-", 2)).containsExactly("shoe-1", "shoe-2");
        assertThat(views.products("sh", 10)).containsExactly("shirt-1", "shoe-1", "shoe-2", "shoe-3", "shoex");
        assertThat(views.products("", 1)).containsExactly("shirt-1");
        assertThat(views.products("sock", 10)).isEmpty();
    }

    @Test
    void aSourcePartitionsWatermarkIsTheLowestOfEveryTaskAndItsCoverageStartWhileATaskHasNotReported() {
        views.saveProgress(task(0, 0, 2, DAY.plusSeconds(60)));
        views.saveProgress(task(1, 0, 2, DAY.plusSeconds(50)));
        views.saveProgress(task(1, 1, 2, DAY.plusSeconds(40)));

        assertThat(views.progress()).containsExactly(
                new SpeedProgress(0, DAY.minusSeconds(60), DAY.minusSeconds(60), Duration.ofDays(7), DAY.plusSeconds(50)),
                new SpeedProgress(1, DAY.plusSeconds(40), DAY.minusSeconds(60), Duration.ofDays(7), DAY.plusSeconds(40)));

        views.saveProgress(task(0, 1, 2, DAY.plusSeconds(90)));

        assertThat(views.progress()).extracting(SpeedProgress::partition, SpeedProgress::watermark).containsExactly(
                tuple(0, DAY.plusSeconds(60)), tuple(1, DAY.plusSeconds(40)));
    }

    @Test
    void keepsWhereEachPartitionsLogBeginsAndTheEarliestOverItsTasks() {
        views.saveProgress(new SpeedTaskProgress(0, 0, 2, DAY.plusSeconds(60), Instant.EPOCH, Duration.ofDays(7), DAY, DAY.minusSeconds(30)));
        views.saveProgress(new SpeedTaskProgress(0, 1, 2, DAY.plusSeconds(60), Instant.EPOCH, Duration.ofDays(7), DAY, DAY.minusSeconds(20)));
        views.saveProgress(task(1, 0, 1, DAY.plusSeconds(60)));

        assertThat(views.progress()).extracting(SpeedProgress::partition, SpeedProgress::logBegins).containsExactly(
                tuple(0, DAY.minusSeconds(30)), tuple(1, Instant.EPOCH));
    }

    @Test
    void aPartitionATaskHasNotHeardFromIsKnownAndNotCoveredUntilEveryTaskReportsOnIt() {
        views.saveProgress(task(0, 0, 2, DAY.plusSeconds(60)));
        views.saveProgress(SpeedTaskProgress.notYet(1, 0, 2, Duration.ofDays(7), DAY));
        views.saveProgress(task(0, 1, 2, DAY.plusSeconds(50)));
        views.saveProgress(task(1, 1, 2, DAY.plusSeconds(40)));

        assertThat(views.progress()).extracting(SpeedProgress::partition, SpeedProgress::isNotYet, SpeedProgress::watermark)
                .containsExactly(tuple(0, false, DAY.plusSeconds(50)), tuple(1, true, SpeedTaskProgress.NOT_YET));

        views.saveProgress(task(1, 0, 2, DAY.plusSeconds(70)));
        // A task that opens again says so once more: it never replaces the report it made before.
        views.saveProgress(SpeedTaskProgress.notYet(1, 0, 2, Duration.ofDays(7), DAY.plusSeconds(80)));

        assertThat(views.progress()).extracting(SpeedProgress::partition, SpeedProgress::isNotYet, SpeedProgress::watermark)
                .containsExactly(tuple(0, false, DAY.plusSeconds(50)), tuple(1, false, DAY.plusSeconds(40)));
    }

    @Test
    void aWatermarkNeverMovesBackEvenWhenTheStaleWriteLandsLast() {
        views.saveProgress(task(0, 0, 1, DAY.plusSeconds(60)));
        views.saveProgress(task(0, 0, 1, DAY.plusSeconds(30)));

        assertThat(views.progress()).extracting(SpeedProgress::watermark).containsExactly(DAY.plusSeconds(60));
    }

    @Test
    void recordsEachHoleOnce() {
        IngestHole hole = new IngestHole("speed", 2, 100, 250, DAY, DAY.plusSeconds(90));
        views.recordHole(hole);
        views.recordHole(hole);
        views.recordHole(new IngestHole("speed", 0, 7, 8, DAY, DAY));

        assertThat(views.holes()).containsExactly(new IngestHole("speed", 0, 7, 8, DAY, DAY), hole);
    }

    @Test
    void keepsTheDeadLetterTotalCountedUpToTheLatestOffsetPerPartitionAndReason() {
        views.saveDeadLetters(new DeadLetterCount(0, RejectionReason.MALFORMED_JSON, 2), 10);
        views.saveDeadLetters(new DeadLetterCount(0, RejectionReason.MALFORMED_JSON, 5), 20);
        views.saveDeadLetters(new DeadLetterCount(0, RejectionReason.MALFORMED_JSON, 4), 15);
        views.saveDeadLetters(new DeadLetterCount(1, RejectionReason.MALFORMED_JSON, 1), 3);
        views.saveDeadLetters(new DeadLetterCount(0, RejectionReason.KEY_MISMATCH, 3), 30);

        assertThat(views.deadLetters()).containsExactlyInAnyOrder(
                new DeadLetterCount(0, RejectionReason.MALFORMED_JSON, 5),
                new DeadLetterCount(1, RejectionReason.MALFORMED_JSON, 1),
                new DeadLetterCount(0, RejectionReason.KEY_MISMATCH, 3));
    }

    private static SpeedTaskProgress task(int source, int task, int taskCount, Instant watermark) {
        return new SpeedTaskProgress(source, task, taskCount, watermark, DAY.minusSeconds(60), Duration.ofDays(7), watermark.minusSeconds(10));
    }

    private static ViewKey key(String product, Instant window) {
        return new ViewKey(product, new EventWindow(Granularity.FIVE_MINUTES, window));
    }

    private static Metrics metrics(long count, String revenue, long duration) {
        return new Metrics(count, new BigDecimal(revenue), duration);
    }

    private static SpeedDelta delta(String product, Instant window, Instant bucket, long count, String revenue, long duration) {
        return new SpeedDelta(new ViewKey(product, new EventWindow(Granularity.FIVE_MINUTES, window)), bucket,
                new Metrics(count, new BigDecimal(revenue), duration));
    }
}
