package io.lambdaplatform.viewstore;

import io.lambdaplatform.model.EventWindow;
import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.model.Metrics;
import io.lambdaplatform.model.ViewKey;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class ViewComparisonTest {

    private static final Instant WINDOW = Instant.parse("2026-12-04T10:00:00Z");
    private static final Instant BUCKET = Instant.parse("2026-12-04T10:01:00Z");

    private final InMemorySpeedViews current = new InMemorySpeedViews();
    private final InMemorySpeedViews next = new InMemorySpeedViews();

    @Test
    void countsWindowsEqualDifferentAndOnlyInOneSideAddingUpEveryIngestBucket() {
        // p1 10:00: the same total, split over two buckets on one side.
        write(current, "p1", WINDOW, BUCKET, 2, "3.00", 30);
        write(next, "p1", WINDOW, BUCKET, 1, "1.00", 10);
        write(next, "p1", WINDOW, BUCKET.plusSeconds(60), 1, "2.00", 20);
        // p1 10:05: one event fewer in the new set.
        write(current, "p1", WINDOW.plusSeconds(300), BUCKET, 2, "2.00", 9_000);
        write(next, "p1", WINDOW.plusSeconds(300), BUCKET, 1, "1.00", 4_000);
        // p2: only in the current set; p3: only in the new one.
        write(current, "p2", WINDOW, BUCKET, 1, "5.00", 5);
        write(next, "p3", WINDOW, BUCKET, 1, "6.00", 6);

        ViewComparison comparison = ViewComparison.of(current, next, BUCKET.plusSeconds(120));

        assertThat(comparison.summary()).isEqualTo("windows equal=1 different=1 only_in_current=1 only_in_new=1");
        assertThat(comparison.products()).containsExactlyInAnyOrder("p1", "p2", "p3");
        assertThat(comparison.examples()).containsExactly(
                "p1 2026-12-04T10:05:00Z: current event_count=2 revenue=2.00 duration_sum_ms=9000, new event_count=1 revenue=1.00 duration_sum_ms=4000",
                "p2 2026-12-04T10:00:00Z: current event_count=1 revenue=5.00 duration_sum_ms=5, new no events",
                "p3 2026-12-04T10:00:00Z: current no events, new event_count=1 revenue=6.00 duration_sum_ms=6");
        assertThat(comparison.differsOnlyIn(product -> product.startsWith("p"))).isTrue();
        assertThat(comparison.differsOnlyIn(product -> product.equals("p1"))).isFalse();
    }

    @Test
    void leavesOutWhatWasIngestedAtOrAfterTheBound() {
        write(current, "p1", WINDOW, BUCKET, 1, "1.00", 10);
        write(next, "p1", WINDOW, BUCKET, 1, "1.00", 10);
        write(next, "p1", WINDOW, BUCKET.plusSeconds(60), 1, "9.00", 90);

        ViewComparison comparison = ViewComparison.of(current, next, BUCKET.plusSeconds(60));

        assertThat(comparison.identical()).isTrue();
        assertThat(comparison.summary()).isEqualTo("windows equal=1 different=0 only_in_current=0 only_in_new=0");
    }

    private static void write(SpeedViews views, String product, Instant window, Instant bucket, long count, String revenue, long durationMs) {
        views.upsert(new SpeedDelta(new ViewKey(product, new EventWindow(Granularity.FIVE_MINUTES, window)), bucket,
                new Metrics(count, new BigDecimal(revenue), durationMs))).toCompletableFuture().join();
        views.recordProduct(product).toCompletableFuture().join();
    }
}
