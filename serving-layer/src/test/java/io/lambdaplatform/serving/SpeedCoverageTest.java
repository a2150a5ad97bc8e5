package io.lambdaplatform.serving;

import io.lambdaplatform.viewstore.IngestHole;
import io.lambdaplatform.viewstore.SpeedProgress;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SpeedCoverageTest {

    private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");

    private final List<SpeedProgress> progress = List.of(
            new SpeedProgress(0, NOW.minusSeconds(5), Instant.EPOCH, Duration.ofDays(7), NOW),
            new SpeedProgress(1, NOW.minusSeconds(9), Instant.EPOCH, Duration.ofDays(7), NOW));

    @Test
    void recordsDeletedBeforeTheSpeedLayerReadThemAreAGapNamingPartitionAndOffsets() {
        IngestHole hole = new IngestHole("speed", 1, 200, 350, NOW.minusSeconds(3600), NOW.minusSeconds(3000));
        SpeedCoverage coverage = new SpeedCoverage(progress, List.of(hole), NOW);

        assertThat(coverage.gapsFrom(NOW.minusSeconds(7200))).containsExactly(new IngestGap(NOW.minusSeconds(3600),
                NOW.minusSeconds(3000).plusMillis(1),
                "records at offsets [200, 350) of partition 1 were deleted from the log before the speed layer read them"));
        assertThat(coverage.gapsFrom(NOW.minusSeconds(3300))).extracting(IngestGap::from).containsExactly(NOW.minusSeconds(3300));
    }

    @Test
    void eachPartitionLacksOnlyWhatWasIngestedAfterItsLogBeganAndBeforeItsRowsAreAvailable() {
        Duration retention = Duration.ofDays(7);
        Instant retained = NOW.minus(retention);
        SpeedCoverage coverage = new SpeedCoverage(List.of(
                // began 8 days ago: its first day of rows may have expired
                new SpeedProgress(0, NOW.minusSeconds(5), Instant.EPOCH, retention, NOW, retained.minus(Duration.ofDays(1))),
                // began within the retention: lacks nothing
                new SpeedProgress(1, NOW.minusSeconds(5), Instant.EPOCH, retention, NOW, retained.plusSeconds(60)),
                // began 8 days ago too: the same span, one gap for both
                new SpeedProgress(2, NOW.minusSeconds(5), Instant.EPOCH, retention, NOW, retained.minus(Duration.ofDays(1)))), NOW);

        assertThat(coverage.gapsFrom(Instant.EPOCH)).containsExactly(new IngestGap(retained.minus(Duration.ofDays(1)), retained,
                "speed rows of events ingested before " + retained + " may have expired (retention PT168H) and no batch view covers them"));
        assertThat(coverage.gapsFrom(retained)).isEmpty();
        assertThat(coverage.availableSince()).contains(retained);
    }

    @Test
    void aPartitionReadFromItsFirstRecordWithinTheRetentionLacksNothing() {
        SpeedCoverage coverage = new SpeedCoverage(List.of(
                new SpeedProgress(0, NOW.minusSeconds(5), Instant.EPOCH, Duration.ofDays(7), NOW, NOW.minusSeconds(120))), NOW);

        assertThat(coverage.gapsFrom(Instant.EPOCH)).isEmpty();
        assertThat(coverage.availableSince()).contains(Instant.EPOCH);
    }

    @Test
    void aPartitionWhoseLogStartIsUnknownLacksEverythingOlderThanTheRetention() {
        SpeedCoverage coverage = new SpeedCoverage(progress, NOW);

        assertThat(coverage.gapsFrom(Instant.EPOCH)).extracting(IngestGap::from, IngestGap::to)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Instant.EPOCH, NOW.minus(Duration.ofDays(7))));
    }

    @Test
    void aPartitionATaskHasNotHeardFromYetIsAGapFromWhatIsNeededToNowAndNoPartOfTheWatermark() {
        SpeedCoverage coverage = new SpeedCoverage(List.of(
                new SpeedProgress(0, NOW.minusSeconds(5), Instant.EPOCH, Duration.ofDays(7), NOW, NOW.minusSeconds(120)),
                SpeedProgress.notYet(1, Duration.ofDays(7), NOW),
                new SpeedProgress(2, NOW.minusSeconds(9), Instant.EPOCH, Duration.ofDays(7), NOW, NOW.minusSeconds(120))), NOW);

        assertThat(coverage.gapsFrom(NOW.minusSeconds(60))).containsExactly(new IngestGap(NOW.minusSeconds(60), NOW,
                "the speed layer has not reported progress on partition 1 yet"));
        assertThat(coverage.watermark()).contains(NOW.minusSeconds(9));
        assertThat(coverage.coveredSince()).contains(Instant.EPOCH);
        assertThat(coverage.availableSince()).contains(Instant.EPOCH);
        assertThat(coverage.hasReported()).isTrue();

        SpeedCoverage none = new SpeedCoverage(List.of(SpeedProgress.notYet(0, Duration.ofDays(7), NOW)), NOW);
        assertThat(none.hasReported()).isFalse();
        assertThat(none.watermark()).isEmpty();
        assertThat(none.gapsFrom(NOW.minusSeconds(60))).extracting(IngestGap::reason)
                .containsExactly("the speed layer has not reported any progress yet");
    }

    @Test
    void aHoleBeforeTheBatchCutoffIsNoGapOfTheSpeedLayer() {
        IngestHole hole = new IngestHole("speed", 1, 200, 350, NOW.minusSeconds(3600), NOW.minusSeconds(3000));
        SpeedCoverage coverage = new SpeedCoverage(progress, List.of(hole), NOW);

        assertThat(coverage.gapsFrom(NOW.minusSeconds(60))).isEmpty();
        assertThat(coverage.watermark()).contains(NOW.minusSeconds(9));
    }
}
