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
    void aHoleBeforeTheBatchCutoffIsNoGapOfTheSpeedLayer() {
        IngestHole hole = new IngestHole("speed", 1, 200, 350, NOW.minusSeconds(3600), NOW.minusSeconds(3000));
        SpeedCoverage coverage = new SpeedCoverage(progress, List.of(hole), NOW);

        assertThat(coverage.gapsFrom(NOW.minusSeconds(60))).isEmpty();
        assertThat(coverage.watermark()).contains(NOW.minusSeconds(9));
    }
}
