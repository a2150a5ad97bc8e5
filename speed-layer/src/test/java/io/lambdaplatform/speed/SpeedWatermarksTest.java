package io.lambdaplatform.speed;

import io.lambdaplatform.viewstore.InMemorySpeedViews;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

class SpeedWatermarksTest {

    private static final Instant T = Instant.parse("2026-11-25T12:00:00Z");

    @Test
    void coverageStartsAtTheFirstAppliedRecordAndNeverMoves() {
        SpeedWatermarks watermarks = SpeedWatermarks.load(new InMemorySpeedViews(), Duration.ofDays(7), Duration.ZERO, Clock.fixed(T, ZoneOffset.UTC));

        watermarks.applied(1, T, T.plusSeconds(3));
        watermarks.applied(1, T.plusSeconds(4), T.plusSeconds(9));
        watermarks.caughtUp(1, T.plusSeconds(20), T.plusSeconds(20));

        assertThat(watermarks.progress(1)).hasValueSatisfying(progress -> {
            assertThat(progress.coveredSince()).isEqualTo(T);
            assertThat(progress.watermark()).isEqualTo(T.plusSeconds(20));
        });
    }

    @Test
    void anIdlePartitionReadFromItsFirstOffsetIsCoveredFromTheBeginning() {
        SpeedWatermarks watermarks = SpeedWatermarks.load(new InMemorySpeedViews(), Duration.ofDays(7), Duration.ZERO, Clock.fixed(T, ZoneOffset.UTC));

        watermarks.caughtUp(2, T, Instant.EPOCH);
        watermarks.caughtUp(2, T.plusSeconds(5), T.plusSeconds(5));

        assertThat(watermarks.progress(2)).hasValueSatisfying(progress -> {
            assertThat(progress.coveredSince()).isEqualTo(Instant.EPOCH);
            assertThat(progress.watermark()).isEqualTo(T.plusSeconds(5));
        });
    }

    @Test
    void aWatermarkNeverMovesBack() {
        SpeedWatermarks watermarks = SpeedWatermarks.load(new InMemorySpeedViews(), Duration.ofDays(7), Duration.ZERO, Clock.fixed(T, ZoneOffset.UTC));

        watermarks.applied(0, T, T.plusSeconds(10));
        watermarks.caughtUp(0, T.plusSeconds(5), T.plusSeconds(5));

        assertThat(watermarks.lowest()).contains(T.plusSeconds(10));
    }
}
