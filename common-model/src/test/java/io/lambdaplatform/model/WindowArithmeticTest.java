package io.lambdaplatform.model;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WindowArithmeticTest {

    private static final Instant T = Instant.parse("2026-11-24T10:17:30.123Z");

    @Test
    void windowsAreAlignedToUtc() {
        assertThat(EventWindow.containing(Granularity.FIVE_MINUTES, T).start()).isEqualTo(Instant.parse("2026-11-24T10:15:00Z"));
        assertThat(EventWindow.containing(Granularity.ONE_HOUR, T).start()).isEqualTo(Instant.parse("2026-11-24T10:00:00Z"));
        assertThat(EventWindow.containing(Granularity.ONE_DAY, T).start()).isEqualTo(Instant.parse("2026-11-24T00:00:00Z"));
        assertThat(EventWindow.containing(Granularity.ONE_DAY, T).end()).isEqualTo(Instant.parse("2026-11-25T00:00:00Z"));
    }

    @Test
    void aWindowContainsItsStartButNotItsEnd() {
        EventWindow window = EventWindow.containing(Granularity.FIVE_MINUTES, T);

        assertThat(window.contains(Instant.parse("2026-11-24T10:15:00Z"))).isTrue();
        assertThat(window.contains(Instant.parse("2026-11-24T10:19:59.999Z"))).isTrue();
        assertThat(window.contains(Instant.parse("2026-11-24T10:20:00Z"))).isFalse();
        assertThat(EventWindow.containing(Granularity.FIVE_MINUTES, Instant.parse("2026-11-24T10:20:00Z")).start())
                .isEqualTo(Instant.parse("2026-11-24T10:20:00Z"));
    }

    @Test
    void rollsUpToTheContainingCoarserWindow() {
        EventWindow fiveMinutes = EventWindow.containing(Granularity.FIVE_MINUTES, T);

        assertThat(fiveMinutes.rollUp(Granularity.ONE_HOUR)).isEqualTo(new EventWindow(Granularity.ONE_HOUR, Instant.parse("2026-11-24T10:00:00Z")));
        assertThat(fiveMinutes.rollUp(Granularity.ONE_DAY).start()).isEqualTo(Instant.parse("2026-11-24T00:00:00Z"));
        assertThatThrownBy(() -> fiveMinutes.rollUp(Granularity.ONE_HOUR).rollUp(Granularity.FIVE_MINUTES))
                .hasMessageContaining("Cannot roll 1h up to finer 5m");
    }

    @Test
    void refusesAnUnalignedWindowStart() {
        assertThatThrownBy(() -> new EventWindow(Granularity.ONE_HOUR, Instant.parse("2026-11-24T10:05:00Z")))
                .hasMessageContaining("not aligned to 1h");
    }

    @Test
    void countsWindowsInARange() {
        Instant from = Instant.parse("2026-11-17T00:00:00Z");
        Instant to = Instant.parse("2026-11-24T00:00:00Z");

        assertThat(Granularity.ONE_HOUR.windowsBetween(from, to)).isEqualTo(168);
        assertThat(Granularity.FIVE_MINUTES.windowsBetween(from, to)).isEqualTo(7 * 288);
        assertThat(Granularity.ONE_DAY.windowsBetween(from, from.plusSeconds(1))).isEqualTo(1);
        assertThat(Granularity.ONE_DAY.windowsBetween(from, from)).isZero();
    }

    @Test
    void parsesGranularityLabels() {
        assertThat(Granularity.parse("5m")).isEqualTo(Granularity.FIVE_MINUTES);
        assertThat(Granularity.parse("1d")).isEqualTo(Granularity.ONE_DAY);
        assertThatThrownBy(() -> Granularity.parse("1w")).hasMessage("Unknown granularity '1w': expected one of 5m, 1h, 1d");
    }

    @Test
    void ingestBucketsFloorToTheirWidth() {
        IngestBuckets minutes = IngestBuckets.DEFAULT;

        assertThat(minutes.bucketStart(T)).isEqualTo(Instant.parse("2026-11-24T10:17:00Z"));
        assertThat(minutes.isBucketStart(Instant.parse("2026-11-24T10:17:00Z"))).isTrue();
        assertThat(minutes.isBucketStart(T)).isFalse();
        assertThat(new IngestBuckets(Duration.ofSeconds(10)).bucketStart(T)).isEqualTo(Instant.parse("2026-11-24T10:17:30Z"));
    }

    @Test
    void ingestBucketsMustDivideADay() {
        assertThatThrownBy(() -> new IngestBuckets(Duration.ofSeconds(7)))
                .hasMessageContaining("must be at least 1s and divide a day evenly: PT7S");
        assertThatThrownBy(() -> new IngestBuckets(Duration.ofMillis(500)))
                .hasMessageContaining("must be at least 1s");
    }

    @Test
    void viewKeysCoverEveryGranularity() {
        Event event = Event.of("e1", "p1", "1.00", 5, T);

        assertThat(ViewKey.allOf(event)).extracting(key -> key.window().start().toString())
                .containsExactly("2026-11-24T10:15:00Z", "2026-11-24T10:00:00Z", "2026-11-24T00:00:00Z");
        assertThat(ViewKey.of(event, Granularity.FIVE_MINUTES).rollUp(Granularity.ONE_DAY))
                .isEqualTo(ViewKey.of(event, Granularity.ONE_DAY));
    }
}
