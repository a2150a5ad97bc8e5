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

import static org.assertj.core.api.Assertions.assertThat;

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
        views.upsert(delta("p1", DAY, DAY.plusSeconds(60), 1, "1.00", 10)).toCompletableFuture().join();
        views.upsert(delta("p1", DAY, DAY.plusSeconds(60), 2, "3.50", 25)).toCompletableFuture().join();
        views.upsert(delta("p1", DAY, DAY.plusSeconds(60), 2, "3.50", 25)).toCompletableFuture().join();

        assertThat(views.read("p1", DAY, DAY.plusSeconds(300))).containsExactly(delta("p1", DAY, DAY.plusSeconds(60), 2, "3.50", 25));
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
    void listsRecordedProducts() {
        views.recordProduct("p2").toCompletableFuture().join();
        views.recordProduct("p1").toCompletableFuture().join();
        views.recordProduct("p2").toCompletableFuture().join();

        assertThat(views.products()).containsExactly("p1", "p2");
    }

    @Test
    void keepsTheLatestProgressPerPartition() {
        views.saveProgress(new SpeedProgress(0, DAY, DAY.minusSeconds(60), Duration.ofDays(7), DAY));
        views.saveProgress(new SpeedProgress(0, DAY.plusSeconds(60), DAY.minusSeconds(60), Duration.ofDays(7), DAY.plusSeconds(61)));
        views.saveProgress(new SpeedProgress(1, DAY.plusSeconds(30), DAY.minusSeconds(60), Duration.ofDays(7), DAY.plusSeconds(31)));

        assertThat(views.progress()).containsExactlyInAnyOrder(
                new SpeedProgress(0, DAY.plusSeconds(60), DAY.minusSeconds(60), Duration.ofDays(7), DAY.plusSeconds(61)),
                new SpeedProgress(1, DAY.plusSeconds(30), DAY.minusSeconds(60), Duration.ofDays(7), DAY.plusSeconds(31)));
    }

    @Test
    void keepsTheLatestDeadLetterTotalPerPartitionAndReason() {
        views.saveDeadLetters(new DeadLetterCount(0, RejectionReason.MALFORMED_JSON, 2));
        views.saveDeadLetters(new DeadLetterCount(0, RejectionReason.MALFORMED_JSON, 5));
        views.saveDeadLetters(new DeadLetterCount(1, RejectionReason.MALFORMED_JSON, 1));
        views.saveDeadLetters(new DeadLetterCount(0, RejectionReason.KEY_MISMATCH, 3));

        assertThat(views.deadLetters()).containsExactlyInAnyOrder(
                new DeadLetterCount(0, RejectionReason.MALFORMED_JSON, 5),
                new DeadLetterCount(1, RejectionReason.MALFORMED_JSON, 1),
                new DeadLetterCount(0, RejectionReason.KEY_MISMATCH, 3));
    }

    private static SpeedDelta delta(String product, Instant window, Instant bucket, long count, String revenue, long duration) {
        return new SpeedDelta(new ViewKey(product, new EventWindow(Granularity.FIVE_MINUTES, window)), bucket,
                new Metrics(count, new BigDecimal(revenue), duration));
    }
}
