package io.lambdaplatform.viewstore;

import io.lambdaplatform.model.EventWindow;
import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.model.Metrics;
import io.lambdaplatform.model.ViewKey;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every {@link BatchViews} must do. Runs on the in-memory fake here and on Cassandra in
 * integration-tests, so the fake that unit tests lean on behaves like the real store.
 */
public abstract class BatchViewsContract {

    protected static final Instant DAY = Instant.parse("2026-11-24T00:00:00Z");
    private static final Instant COMPUTED = Instant.parse("2026-11-25T09:00:00Z");

    private BatchViews views;

    /** A store with no versions. */
    protected abstract BatchViews newStore();

    @BeforeEach
    void freshStore() {
        views = newStore();
    }

    @Test
    void hasNoCurrentVersionBeforeTheFirstPublication() {
        assertThat(views.current()).isEmpty();
        assertThat(views.versions()).isEmpty();
        assertThat(views.rollback()).isEmpty();
    }

    @Test
    void anUnpublishedVersionIsNotCurrent() {
        BatchVersion v1 = views.begin(DAY, COMPUTED);
        write(v1.version(), row("p1", Granularity.ONE_HOUR, DAY, 3, "1.50", 30));

        assertThat(v1.version()).isEqualTo(1);
        assertThat(views.current()).isEmpty();
        assertThat(views.versions()).containsExactly(BatchVersion.writing(1, DAY, COMPUTED));
    }

    @Test
    void publishingFlipsThePointerAndKeepsTheRows() {
        BatchVersion v1 = views.begin(DAY, COMPUTED);
        ViewRow first = row("p1", Granularity.FIVE_MINUTES, DAY.plusSeconds(300), 2, "10.01", 200);
        ViewRow second = row("p1", Granularity.FIVE_MINUTES, DAY.plusSeconds(600), 1, "-3.00", 5);
        write(v1.version(), first, second, row("p2", Granularity.FIVE_MINUTES, DAY, 1, "1.00", 1));

        BatchVersion published = views.publish(v1.version(), 3, 4, COMPUTED.plusSeconds(5));

        assertThat(views.current()).contains(published);
        assertThat(published.cutoff()).isEqualTo(DAY);
        assertThat(published.publishedAt()).isEqualTo(COMPUTED.plusSeconds(5));
        assertThat(published.eventCount()).isEqualTo(4);
        assertThat(views.read(1, "p1", Granularity.FIVE_MINUTES, DAY, DAY.plusSeconds(3600))).containsExactly(first, second);
        assertThat(views.products(1)).containsExactly("p1", "p2");
        assertThat(views.products(1, "p", 1)).containsExactly("p1");
        assertThat(views.products(1, "p2", 5)).containsExactly("p2");
        assertThat(views.products(1, "q", 5)).isEmpty();
    }

    @Test
    void keepsEveryRowOfPartitionsLargerThanOneWriteBatch() {
        // A whole day of 5-minute windows (one partition, more rows than one batch holds) for two products, interleaved,
        // then one row of an hour partition: every row is stored, whatever the store groups into one write.
        BatchVersion v1 = views.begin(DAY, COMPUTED);
        List<ViewRow> p1 = new ArrayList<>();
        List<ViewRow> p2 = new ArrayList<>();
        try (BatchViewWriter writer = views.writer(v1.version())) {
            for (int window = 0; window < 288; window++) {
                ViewRow first = row("p1", Granularity.FIVE_MINUTES, DAY.plusSeconds(300L * window), window + 1, window + ".01", window);
                ViewRow second = row("p2", Granularity.FIVE_MINUTES, DAY.plusSeconds(300L * window), 1, "-" + window + ".50", 7);
                writer.write(first);
                writer.write(second);
                p1.add(first);
                p2.add(second);
            }
            writer.write(row("p1", Granularity.ONE_HOUR, DAY, 5, "5.00", 50));
            assertThat(writer.rowCount()).isEqualTo(577);
        }
        views.publish(v1.version(), 577, 41_761, COMPUTED);

        assertThat(views.read(1, "p1", Granularity.FIVE_MINUTES, DAY, DAY.plusSeconds(86_400))).containsExactlyElementsOf(p1);
        assertThat(views.read(1, "p2", Granularity.FIVE_MINUTES, DAY, DAY.plusSeconds(86_400))).containsExactlyElementsOf(p2);
        assertThat(views.read(1, "p1", Granularity.ONE_HOUR, DAY, DAY.plusSeconds(3600)))
                .containsExactly(row("p1", Granularity.ONE_HOUR, DAY, 5, "5.00", 50));
    }

    @Test
    void readsOnlyTheRequestedProductGranularityAndRange() {
        BatchVersion v1 = views.begin(DAY, COMPUTED);
        ViewRow inRange = row("p1", Granularity.ONE_HOUR, DAY.plusSeconds(3600), 1, "2.00", 2);
        write(v1.version(),
                row("p1", Granularity.ONE_HOUR, DAY, 1, "1.00", 1),
                inRange,
                row("p1", Granularity.ONE_HOUR, DAY.plusSeconds(7200), 1, "3.00", 3),
                row("p1", Granularity.ONE_DAY, DAY, 3, "6.00", 6),
                row("p2", Granularity.ONE_HOUR, DAY.plusSeconds(3600), 1, "9.00", 9));

        assertThat(views.read(1, "p1", Granularity.ONE_HOUR, DAY.plusSeconds(3600), DAY.plusSeconds(7200))).containsExactly(inRange);
        assertThat(views.read(1, "p3", Granularity.ONE_HOUR, DAY, DAY.plusSeconds(86_400))).isEmpty();
        assertThat(views.read(2, "p1", Granularity.ONE_HOUR, DAY, DAY.plusSeconds(86_400))).isEmpty();
    }

    @Test
    void readsAcrossPartitionBoundaries() {
        BatchVersion v1 = views.begin(DAY, COMPUTED);
        Instant monthEarlier = DAY.minusSeconds(30L * 86_400);
        ViewRow old = row("p1", Granularity.FIVE_MINUTES, monthEarlier, 1, "1.00", 1);
        ViewRow recent = row("p1", Granularity.FIVE_MINUTES, DAY.minusSeconds(300), 1, "2.00", 2);
        ViewRow hourOld = row("p1", Granularity.ONE_HOUR, monthEarlier, 1, "1.00", 1);
        ViewRow hourRecent = row("p1", Granularity.ONE_HOUR, DAY, 1, "2.00", 2);
        write(v1.version(), old, recent, hourOld, hourRecent);

        assertThat(views.read(1, "p1", Granularity.FIVE_MINUTES, monthEarlier, DAY)).containsExactly(old, recent);
        assertThat(views.read(1, "p1", Granularity.ONE_HOUR, monthEarlier, DAY.plusSeconds(3600))).containsExactly(hourOld, hourRecent);
    }

    @Test
    void readsEveryRowOfSomeProductsAcrossGranularitiesAndPartitions() {
        BatchVersion v1 = views.begin(DAY, COMPUTED);
        Instant monthEarlier = DAY.minusSeconds(30L * 86_400);
        List<ViewRow> p1 = List.of(row("p1", Granularity.FIVE_MINUTES, monthEarlier, 1, "1.00", 1),
                row("p1", Granularity.FIVE_MINUTES, DAY.minusSeconds(300), 1, "2.00", 2),
                row("p1", Granularity.ONE_HOUR, DAY, 2, "3.00", 3),
                row("p1", Granularity.ONE_DAY, DAY, 2, "3.00", 3));
        ViewRow p2 = row("p2", Granularity.ONE_DAY, DAY, 1, "9.00", 9);
        List<ViewRow> all = new java.util.ArrayList<>(p1);
        all.add(p2);
        all.add(row("p3", Granularity.ONE_DAY, DAY, 1, "5.00", 5));
        write(v1.version(), all.toArray(ViewRow[]::new));

        assertThat(views.rows(1, List.of("p1", "p2"))).containsExactlyInAnyOrder(p1.get(0), p1.get(1), p1.get(2), p1.get(3), p2);
        assertThat(views.rows(1, List.of("p4"))).isEmpty();
        assertThat(views.rows(2, List.of("p1"))).isEmpty();
    }

    @Test
    void recordsHowAVersionWasBuiltAndForgetsItWithTheVersion() {
        publishVersion(DAY, "1.00");
        BatchVersion v2 = views.begin(DAY.plusSeconds(60), COMPUTED);
        BatchBuild full = new BatchBuild(1, BatchBuild.Kind.FULL, BatchViews.NO_VERSION, 1, "measures", "1 ranges, sha256 ab", COMPUTED);
        BatchBuild incremental = new BatchBuild(v2.version(), BatchBuild.Kind.INCREMENTAL, 1, 1, "measures", "2 ranges, sha256 cd",
                COMPUTED);
        views.recordBuild(full);
        views.recordBuild(incremental);
        views.publish(v2.version(), 1, 1, COMPUTED);

        assertThat(views.build(1)).contains(full);
        assertThat(views.build(2)).contains(incremental);
        assertThat(views.build(3)).isEmpty();
        views.retainLatest(1);
        assertThat(views.build(1)).isEmpty();
        assertThat(views.build(2)).contains(incremental);
    }

    @Test
    void versionNumbersIncrease() {
        BatchVersion v1 = views.begin(DAY, COMPUTED);
        views.publish(v1.version(), 0, 0, COMPUTED);
        BatchVersion v2 = views.begin(DAY.plusSeconds(60), COMPUTED.plusSeconds(60));

        assertThat(v2.version()).isEqualTo(2);
        assertThat(views.versions()).extracting(BatchVersion::version).containsExactly(2L, 1L);
    }

    @Test
    void rollbackPointsAtThePreviousPublishedVersionAndStopsAtTheOldest() {
        publishVersion(DAY, "1.00");
        publishVersion(DAY.plusSeconds(60), "2.00");
        views.begin(DAY.plusSeconds(120), COMPUTED);

        assertThat(views.current()).get().extracting(BatchVersion::version).isEqualTo(2L);
        assertThat(views.rollback()).get().extracting(BatchVersion::version).isEqualTo(1L);
        assertThat(views.current()).get().extracting(BatchVersion::cutoff).isEqualTo(DAY);
        assertThat(views.rollback()).isEmpty();
        assertThat(views.current()).get().extracting(BatchVersion::version).isEqualTo(1L);
    }

    @Test
    void retainsTheNewestVersionsAndTheCurrentOneAndDropsAbandonedRuns() {
        publishVersion(DAY, "1.00");
        views.begin(DAY.plusSeconds(60), COMPUTED);                  // v2: a crashed run
        publishVersion(DAY.plusSeconds(120), "3.00");                // v3
        publishVersion(DAY.plusSeconds(180), "4.00");                // v4
        views.rollback();                                            // current: v3
        views.begin(DAY.plusSeconds(240), COMPUTED);                 // v5: a run in progress

        List<BatchVersion> removed = views.retainLatest(1);

        assertThat(removed).extracting(BatchVersion::version).containsExactlyInAnyOrder(1L, 2L);
        assertThat(views.versions()).extracting(BatchVersion::version).containsExactly(5L, 4L, 3L);
        assertThat(views.current()).get().extracting(BatchVersion::version).isEqualTo(3L);
        assertThat(views.read(1, "p1", Granularity.ONE_DAY, DAY, DAY.plusSeconds(86_400))).isEmpty();
        assertThat(views.products(1)).isEmpty();
        assertThat(views.read(3, "p1", Granularity.ONE_DAY, DAY, DAY.plusSeconds(86_400)))
                .extracting(row -> row.metrics().revenue()).containsExactly(new BigDecimal("3.00"));
    }

    @Test
    void refusesToPublishAVersionThatWasNeverBegun() {
        assertThatThrownBy(() -> views.publish(7, 0, 0, COMPUTED))
                .isInstanceOf(ViewStoreException.class)
                .hasMessageContaining("Cannot publish batch version 7: it was never begun");
    }

    @Test
    void keepsRevenueExact() {
        BatchVersion v1 = views.begin(DAY, COMPUTED);
        ViewRow big = row("p1", Granularity.ONE_DAY, DAY, 5_000_000, "4999999999999999.99", 1);
        write(v1.version(), big);

        assertThat(views.read(1, "p1", Granularity.ONE_DAY, DAY, DAY.plusSeconds(1))).containsExactly(big);
    }

    @Test
    void keepsDurationSumsExactPastSixtyFourBits() {
        BatchVersion v1 = views.begin(DAY, COMPUTED);
        ViewRow huge = new ViewRow(new ViewKey("p1", new EventWindow(Granularity.ONE_DAY, DAY)),
                new Metrics(9_300_000, new BigDecimal("1.00"), new java.math.BigInteger("9300000000000000000")));
        write(v1.version(), huge);

        assertThat(views.read(1, "p1", Granularity.ONE_DAY, DAY, DAY.plusSeconds(1))).containsExactly(huge);
    }

    @Test
    void keepsTheSketchesOfARowAndReadsNoneForARowWrittenWithout() {
        BatchVersion v1 = views.begin(DAY, COMPUTED);
        Metrics sketched = java.util.stream.IntStream.range(0, 500)
                .mapToObj(i -> Metrics.of(new io.lambdaplatform.model.Event("e-" + i, "p1", "u-" + i % 120, BigDecimal.ONE, i * 7L, DAY)))
                .reduce(Metrics.EMPTY, Metrics::merge);
        ViewRow withSketches = new ViewRow(new ViewKey("p1", new EventWindow(Granularity.ONE_DAY, DAY)), sketched);
        ViewRow without = row("p2", Granularity.ONE_DAY, DAY, 3, "1.00", 4);
        write(v1.version(), withSketches, without);

        ViewRow read = views.read(1, "p1", Granularity.ONE_DAY, DAY, DAY.plusSeconds(1)).get(0);
        assertThat(read).isEqualTo(withSketches);
        assertThat(read.metrics().sketches().users().estimate()).isEqualTo(120);
        assertThat(read.metrics().sketches().durations().quantile(0.5)).isEqualTo(sketched.sketches().durations().quantile(0.5));
        assertThat(views.read(1, "p2", Granularity.ONE_DAY, DAY, DAY.plusSeconds(1)).get(0).metrics().sketches()).isNull();
    }

    @Test
    void aSecondWriterCannotTakeTheLeaseWhileItIsHeld() {
        BatchLease first = views.takeLease("host-a/101/1f2e", COMPUTED, Duration.ofSeconds(60));

        assertThatThrownBy(() -> views.takeLease("host-b/202/3c4d", COMPUTED.plusSeconds(1), Duration.ofSeconds(60)))
                .isInstanceOf(BatchLeaseHeldException.class)
                .hasMessage("another batch run holds the lease: host-a/101/1f2e since " + COMPUTED);
        assertThat(first).isEqualTo(new BatchLease("host-a/101/1f2e", COMPUTED));
        assertThat(views.renewLease(first, COMPUTED.plusSeconds(2), Duration.ofSeconds(60))).isTrue();
    }

    @Test
    void aReleasedLeaseCanBeTakenAndItsFormerHolderCannotRenewIt() {
        BatchLease first = views.takeLease("host-a/101/1f2e", COMPUTED, Duration.ofSeconds(60));
        views.releaseLease(first);

        BatchLease second = views.takeLease("host-b/202/3c4d", COMPUTED.plusSeconds(1), Duration.ofSeconds(60));
        views.releaseLease(first);                                  // not the holder any more: no effect

        assertThat(views.renewLease(first, COMPUTED.plusSeconds(2), Duration.ofSeconds(60))).isFalse();
        assertThat(views.renewLease(second, COMPUTED.plusSeconds(2), Duration.ofSeconds(60))).isTrue();
        assertThatThrownBy(() -> views.takeLease("host-a/101/1f2e", COMPUTED.plusSeconds(3), Duration.ofSeconds(60)))
                .hasMessageContaining("host-b/202/3c4d since " + COMPUTED.plusSeconds(1));
    }

    @Test
    void publishingFailsAndChangesNothingWhenThePointerMovedSinceTheRunBegan() {
        BatchVersion v1 = views.begin(DAY, COMPUTED);
        BatchVersion v2 = views.begin(DAY.plusSeconds(60), COMPUTED);
        views.publish(v2.version(), 0, 0, COMPUTED, BatchViews.NO_VERSION);

        assertThatThrownBy(() -> views.publish(v1.version(), 0, 0, COMPUTED, BatchViews.NO_VERSION))
                .isInstanceOf(BatchPointerMovedException.class)
                .hasMessageContaining("version 2");
        assertThatThrownBy(() -> views.publish(v1.version(), 0, 0, COMPUTED, 7))
                .isInstanceOf(BatchPointerMovedException.class);
        assertThat(views.current()).get().extracting(BatchVersion::version).isEqualTo(2L);
        assertThat(views.versions()).extracting(BatchVersion::version, BatchVersion::isPublished).containsExactly(
                org.assertj.core.groups.Tuple.tuple(2L, true), org.assertj.core.groups.Tuple.tuple(1L, false));
        BatchVersion v3 = views.begin(DAY.plusSeconds(120), COMPUTED);
        assertThat(views.publish(v3.version(), 5, 6, COMPUTED, 2).eventCount()).isEqualTo(6);
        assertThat(views.current()).get().extracting(BatchVersion::version).isEqualTo(3L);
    }

    @Test
    void retentionKeepsEveryVersionNewerThanTheCurrentOne() {
        publishVersion(DAY, "1.00");                                 // v1
        publishVersion(DAY.plusSeconds(60), "2.00");                 // v2
        views.rollback();                                            // current: v1
        views.begin(DAY.plusSeconds(120), COMPUTED);                 // v3: being written

        assertThat(views.retainLatest(1)).isEmpty();
        assertThat(views.versions()).extracting(BatchVersion::version).containsExactly(3L, 2L, 1L);
    }

    @Test
    void anExtendingVersionOverlaysTheWindowsItChangesSharesTheRestAndLeavesItsBaseAsItWas() {
        Instant nextDay = DAY.plusSeconds(86_400);
        ViewRow firstDay = row("p1", Granularity.FIVE_MINUTES, DAY.plusSeconds(300), 2, "4.00", 20);
        ViewRow changed = row("p1", Granularity.FIVE_MINUTES, nextDay, 1, "1.00", 10);
        ViewRow unchanged = row("p1", Granularity.FIVE_MINUTES, nextDay.plusSeconds(300), 4, "4.00", 40);
        ViewRow otherProduct = row("p2", Granularity.FIVE_MINUTES, DAY, 5, "5.00", 50);
        BatchVersion v1 = views.begin(DAY, COMPUTED);
        write(v1.version(), firstDay, changed, unchanged, otherProduct);
        views.publish(v1.version(), 4, 12, COMPUTED);

        ViewPartition touched = new ViewPartition("p1", Granularity.FIVE_MINUTES, nextDay);
        ViewPartition fresh = new ViewPartition("p3", Granularity.FIVE_MINUTES, DAY);
        assertThat(views.changedOrAt(v1.version(), Map.of(touched, List.of(nextDay, nextDay.plusSeconds(600)), fresh, List.of(DAY))))
                .as("the base's rows at the windows asked for, none of a partition it lacks").containsExactly(changed);
        ViewRow merged = row("p1", Granularity.FIVE_MINUTES, nextDay, 3, "6.00", 70);
        ViewRow added = row("p1", Granularity.FIVE_MINUTES, nextDay.plusSeconds(600), 1, "0.50", 5);
        ViewRow newProduct = row("p3", Granularity.FIVE_MINUTES, DAY, 1, "1.00", 1);
        BatchVersion v2 = views.begin(nextDay, COMPUTED);
        views.extend(v2.version(), v1.version(), Set.of(touched, fresh));
        writeRows(v2.version(), merged, added, newProduct);

        assertThat(views.read(v2.version(), "p1", Granularity.FIVE_MINUTES, DAY, nextDay.plusSeconds(86_400)))
                .containsExactly(firstDay, merged, unchanged, added);
        assertThat(views.read(v2.version(), "p2", Granularity.FIVE_MINUTES, DAY, nextDay)).containsExactly(otherProduct);
        assertThat(views.read(v2.version(), "p3", Granularity.FIVE_MINUTES, DAY, nextDay)).containsExactly(newProduct);
        assertThat(views.products(v2.version())).containsExactly("p1", "p2", "p3");
        assertThat(views.partitions(v2.version(), "p1", Granularity.FIVE_MINUTES)).containsExactly(
                new StoredPartition(new ViewPartition("p1", Granularity.FIVE_MINUTES, DAY), v1.version()),
                new StoredPartition(touched, v1.version(), v2.version()));
        assertThat(views.rows(v2.version(), List.of("p1", "p2", "p3")))
                .containsExactlyInAnyOrder(firstDay, merged, unchanged, added, otherProduct, newProduct);
        assertThat(views.read(v1.version(), "p1", Granularity.FIVE_MINUTES, DAY, nextDay.plusSeconds(86_400)))
                .as("the base is immutable").containsExactly(firstDay, changed, unchanged);
        assertThat(views.changedOrAt(v2.version(), Map.of(touched, List.of(nextDay.plusSeconds(300)))))
                .as("every window the overlay changed, and the stored row asked for").containsExactlyInAnyOrder(merged, added, unchanged);

        views.publish(v2.version(), 6, 17, COMPUTED);
        assertThat(views.rollback()).get().extracting(BatchVersion::version).isEqualTo(v1.version());
        assertThat(views.read(v1.version(), "p1", Granularity.FIVE_MINUTES, DAY, nextDay.plusSeconds(86_400)))
                .containsExactly(firstDay, changed, unchanged);
    }

    @Test
    void retentionKeepsRowsWhileAVersionReadsThemAndDropsThemAfter() {
        Instant nextDay = DAY.plusSeconds(86_400);
        ViewRow shared = row("p1", Granularity.FIVE_MINUTES, DAY, 2, "4.00", 20);
        ViewRow replaced = row("p1", Granularity.FIVE_MINUTES, nextDay, 1, "1.00", 10);
        BatchVersion v1 = views.begin(DAY, COMPUTED);
        write(v1.version(), shared, replaced);
        views.publish(v1.version(), 2, 3, COMPUTED);
        BatchVersion v2 = views.begin(nextDay, COMPUTED);
        ViewPartition touched = new ViewPartition("p1", Granularity.FIVE_MINUTES, nextDay);
        views.extend(v2.version(), v1.version(), Set.of(touched));
        ViewRow replacement = row("p1", Granularity.FIVE_MINUTES, nextDay, 2, "2.00", 30);
        writeRows(v2.version(), replacement);
        views.publish(v2.version(), 2, 4, COMPUTED);

        assertThat(views.retainLatest(1)).extracting(BatchVersion::version).containsExactly(v1.version());

        assertThat(views.read(v2.version(), "p1", Granularity.FIVE_MINUTES, DAY, nextDay.plusSeconds(86_400)))
                .containsExactly(shared, replacement);

        BatchVersion v3 = views.begin(nextDay.plusSeconds(60), COMPUTED);
        write(v3.version(), replacement);
        views.publish(v3.version(), 1, 2, COMPUTED);
        assertThat(views.retainLatest(1)).extracting(BatchVersion::version).containsExactly(v2.version());

        StoredPartition sharedRows = new StoredPartition(new ViewPartition("p1", Granularity.FIVE_MINUTES, DAY), v1.version());
        StoredPartition overlaid = new StoredPartition(touched, v1.version(), v2.version());
        assertThat(views.read(sharedRows, DAY, nextDay)).as("its last reader removed").isEmpty();
        assertThat(views.read(overlaid, DAY, nextDay.plusSeconds(86_400))).as("stored rows and overlay, read by no version kept").isEmpty();
        assertThat(views.read(v3.version(), "p1", Granularity.FIVE_MINUTES, DAY, nextDay.plusSeconds(86_400))).containsExactly(replacement);
    }

    @Test
    void recordsHolesOnceAndListsThemByPartitionAndOffset() {
        IngestHole late = new IngestHole("batch", 1, 40, 55, DAY, DAY.plusSeconds(90));
        IngestHole early = new IngestHole("batch", 0, 7, 9, DAY.minusSeconds(60), DAY);

        views.recordHoles(List.of(late, early));
        views.recordHoles(List.of(late));

        assertThat(views.holes()).containsExactly(early, late);
    }

    protected static ViewRow row(String product, Granularity granularity, Instant start, long count, String revenue, long duration) {
        return new ViewRow(new ViewKey(product, new EventWindow(granularity, start)), new Metrics(count, new BigDecimal(revenue), duration));
    }

    private void publishVersion(Instant cutoff, String revenue) {
        BatchVersion version = views.begin(cutoff, COMPUTED);
        write(version.version(), row("p1", Granularity.ONE_DAY, DAY, 1, revenue, 1));
        views.publish(version.version(), 1, 1, COMPUTED);
    }

    private void writeRows(long version, ViewRow... rows) {
        try (BatchViewWriter writer = views.rowWriter(version)) {
            for (ViewRow row : rows) {
                writer.write(row);
            }
        }
    }

    private void write(long version, ViewRow... rows) {
        try (BatchViewWriter writer = views.writer(version)) {
            for (ViewRow row : rows) {
                writer.write(row);
            }
            assertThat(writer.rowCount()).isEqualTo(rows.length);
        }
    }
}
