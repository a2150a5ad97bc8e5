package io.lambdaplatform.batch.internal;

import io.lambdaplatform.batch.BatchLeaseLostException;
import io.lambdaplatform.viewstore.BatchLeaseHeldException;
import io.lambdaplatform.viewstore.InMemoryBatchViews;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LeaseKeeperTest {

    private static final Duration TTL = Duration.ofSeconds(3);

    private final InMemoryBatchViews store = new InMemoryBatchViews();
    private final MovableClock clock = new MovableClock(Instant.parse("2026-11-24T10:00:00Z"));
    private final AtomicInteger stops = new AtomicInteger();

    @Test
    void renewalKeepsTheLeaseAndClosingReleasesIt() throws Exception {
        try (LeaseKeeper keeper = LeaseKeeper.take(store, TTL, clock, stops::incrementAndGet)) {
            assertThat(keeper.lease().holder()).matches(".+/pid \\d+/[0-9a-f]{8}");
            clock.advance(Duration.ofSeconds(2));
            Thread.sleep(1_500);                                    // one renewal period (TTL / 3) at the new time
            clock.advance(Duration.ofSeconds(2));                  // 4 s after taking it: alive only by renewal
            keeper.requireHeld();
            assertThatThrownBy(() -> store.takeLease("other/pid 1/00000000", clock.instant(), TTL))
                    .isInstanceOf(BatchLeaseHeldException.class);
        }

        assertThat(store.takeLease("other/pid 1/00000000", clock.instant(), TTL).holder()).isEqualTo("other/pid 1/00000000");
        assertThat(stops).hasValue(0);
    }

    @Test
    void aLeaseTakenByAnotherRunAfterItExpiredStopsTheRunOnceAndIsNotReleased() throws Exception {
        LeaseKeeper keeper = LeaseKeeper.take(store, TTL, clock, stops::incrementAndGet);
        clock.advance(Duration.ofSeconds(10));                      // the renewal thread stalled past the TTL
        store.takeLease("other/pid 1/00000000", clock.instant(), TTL);

        assertThatThrownBy(keeper::requireHeld)
                .isInstanceOf(BatchLeaseLostException.class)
                .hasMessageContaining("Lost the batch lease of " + keeper.lease().holder())
                .hasMessageContaining("nothing is published");
        Thread.sleep(1_500);                                        // a renewal runs and finds it taken
        keeper.close();

        assertThat(stops).hasValue(1);
        assertThatThrownBy(() -> store.takeLease("third/pid 2/00000000", clock.instant(), TTL))
                .hasMessageContaining("another batch run holds the lease: other/pid 1/00000000");
    }

    private static final class MovableClock extends Clock {
        private volatile Instant now;

        MovableClock(Instant start) {
            now = start;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
