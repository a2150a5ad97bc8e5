package io.lambdaplatform.viewstore;

import io.lambdaplatform.model.EventWindow;
import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.model.ViewKey;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SpeedRowsUpgradeTest {

    private static final Instant DAY = Instant.parse("2026-11-24T00:00:00Z");
    private static final Instant CUTOFF = DAY.plusSeconds(3_600);
    private static final Clock CLOCK = Clock.fixed(DAY.plusSeconds(7_200), ZoneOffset.UTC);

    private final InMemorySpeedViews speed = InMemorySpeedViews.upgradedFromEarlierRelease();
    private final InMemoryBatchViews batch = new InMemoryBatchViews();
    private final SpeedRow beforeCutoff = row("p1", DAY, CUTOFF.minusSeconds(60), 0, "", 2, 10);
    private final SpeedRow atCutoff = row("p1", DAY, CUTOFF, 0, "", 3, 11);
    private final SpeedRow correction = row("p1", DAY, CUTOFF, 1, "0@7", -1, 12);
    private final SpeedRow lateOtherProduct = row("p2", DAY.minusSeconds(86_400), CUTOFF.plusSeconds(60), 2, "", 5, 13);
    private final InMemoryLegacySpeedRows legacy = new InMemoryLegacySpeedRows().add(beforeCutoff).add(atCutoff).add(correction)
            .add(lateOtherProduct);

    @Test
    void copiesTheRowsFromTheEarliestStoredCutoffOnWithTheirVersionsThenMarks() {
        publish(CUTOFF);
        publish(CUTOFF.plusSeconds(600));

        LegacyRowsCopy copy = SpeedRowsUpgrade.copyLegacyRows(legacy, speed, batch, CLOCK);

        assertThat(copy).isEqualTo(new LegacyRowsCopy(CUTOFF, 3, CLOCK.instant()));
        assertThat(speed.legacyRowsCopy()).contains(copy);
        assertThat(speed.rows()).containsExactlyInAnyOrder(atCutoff, correction, lateOtherProduct);
        assertThat(speed.products()).containsExactly("p1", "p2");
    }

    @Test
    void aKeyspaceWithoutTheEarlierTableIsMarkedWithNothingToCopy() {
        LegacyRowsCopy copy = SpeedRowsUpgrade.copyLegacyRows(InMemoryLegacySpeedRows.absent(), speed, batch, CLOCK);

        assertThat(copy).isEqualTo(LegacyRowsCopy.NOTHING_TO_COPY);
        assertThat(speed.legacyRowsCopy()).contains(LegacyRowsCopy.NOTHING_TO_COPY);
        assertThat(speed.rows()).isEmpty();
    }

    @Test
    void withoutABatchVersionEveryRowIsCopied() {
        LegacyRowsCopy copy = SpeedRowsUpgrade.copyLegacyRows(legacy, speed, batch, CLOCK);

        assertThat(copy.copiedFrom()).isEqualTo(Instant.EPOCH);
        assertThat(speed.rows()).containsExactlyInAnyOrder(beforeCutoff, atCutoff, correction, lateOtherProduct);
    }

    @Test
    void aCopyKilledHalfwayLeavesNoMarkerAndTheNextOneConvergesWhileNewerRowsOfTheNewLayerWin() {
        publish(CUTOFF);
        legacy.failAfter(2);

        assertThatThrownBy(() -> SpeedRowsUpgrade.copyLegacyRows(legacy, speed, batch, CLOCK)).isInstanceOf(ViewStoreUnavailableException.class);

        assertThat(speed.legacyRowsCopy()).isEmpty();
        assertThat(speed.rows()).containsExactly(atCutoff);
        // Meanwhile the new speed layer went on with the bucket the earlier release wrote last.
        SpeedRow continued = row("p2", DAY.minusSeconds(86_400), CUTOFF.plusSeconds(60), 2, "", 9, 40);
        speed.write(continued).toCompletableFuture().join();

        legacy.failAfter(Integer.MAX_VALUE);
        LegacyRowsCopy copy = SpeedRowsUpgrade.copyLegacyRows(legacy, speed, batch, CLOCK);

        assertThat(copy.rows()).isEqualTo(3);
        assertThat(speed.rows()).containsExactlyInAnyOrder(atCutoff, correction, continued);
        assertThat(speed.read("p2", DAY.minusSeconds(86_400), DAY)).singleElement()
                .satisfies(delta -> assertThat(delta.metrics().eventCount()).isEqualTo(9));
    }

    @Test
    void oncePresentTheMarkerIsKeptAndNothingIsCopiedAgain() {
        LegacyRowsCopy earlier = new LegacyRowsCopy(CUTOFF, 7, DAY);
        speed.recordLegacyRowsCopy(earlier);

        assertThat(SpeedRowsUpgrade.copyLegacyRows(legacy, speed, batch, CLOCK)).isEqualTo(earlier);
        assertThat(speed.rows()).isEmpty();
    }

    private void publish(Instant cutoff) {
        BatchVersion version = batch.begin(cutoff, cutoff.plusSeconds(30));
        batch.publish(version.version(), 0, 0, cutoff.plusSeconds(60));
    }

    private static SpeedRow row(String product, Instant window, Instant bucket, int partition, String correction, long count, long version) {
        return new SpeedRow(new ViewKey(product, new EventWindow(Granularity.FIVE_MINUTES, window)), bucket, partition, correction, count,
                BigDecimal.valueOf(count), BigInteger.valueOf(count * 100), version);
    }
}
