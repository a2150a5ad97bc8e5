package io.lambdaplatform.serving;

import io.lambdaplatform.viewstore.BatchVersion;
import io.lambdaplatform.viewstore.InMemorySpeedViews;
import io.lambdaplatform.viewstore.ViewStoreUnavailableException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ViewStateCacheTest {

    private static final Duration MAX_AGE = Duration.ofSeconds(1);

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final AtomicInteger reads = new AtomicInteger();
    /** Reads the next version on every call: the version says which read a state came from. */
    private final Supplier<ViewState> store = () -> state(reads.incrementAndGet());
    /** Reads started but not run yet, to run them when a test says. */
    private final List<Runnable> queued = new ArrayList<>();
    private final Executor later = queued::add;

    private static ViewState state(long version) {
        BatchVersion pointer = new BatchVersion(version, Instant.parse("2026-11-24T10:00:00Z"), Instant.parse("2026-11-24T10:01:00Z"),
                Instant.parse("2026-11-24T10:02:00Z"), 0, 0);
        return new ViewState(ViewsUsed.LAMBDA, new InMemorySpeedViews(), Optional.of(pointer), List.of(), List.of(), List.of(), Optional.empty());
    }

    private static long version(ViewState state) {
        return state.pointer().orElseThrow().version();
    }

    private void elapse(Duration duration) {
        nanos.addAndGet(duration.toNanos());
    }

    private void runQueued() {
        List<Runnable> now = List.copyOf(queued);
        queued.clear();
        now.forEach(Runnable::run);
    }

    @Test
    void oneReadServesEveryRequestUntilItIsHalfItsMaximumAgeOld() {
        ViewStateCache cache = new ViewStateCache(MAX_AGE, nanos::get);

        assertThat(version(cache.get(store, Runnable::run))).isEqualTo(1);
        elapse(Duration.ofMillis(499));
        assertThat(version(cache.get(store, Runnable::run))).isEqualTo(1);
        assertThat(reads).hasValue(1);
    }

    @Test
    void pastHalfItsAgeTheNextStateIsReadInTheBackgroundWhileRequestsGoOnWithTheCurrentOne() {
        ViewStateCache cache = new ViewStateCache(MAX_AGE, nanos::get);
        cache.get(store, Runnable::run);

        elapse(Duration.ofMillis(600));
        assertThat(version(cache.get(store, later))).isEqualTo(1);
        assertThat(version(cache.get(store, later))).as("a second request does not start a second read").isEqualTo(1);
        assertThat(queued).hasSize(1);

        runQueued();
        assertThat(version(cache.get(store, later))).isEqualTo(2);
        assertThat(reads).hasValue(2);
    }

    @Test
    void aStateAsOldAsItsMaximumAgeIsNeverUsed() {
        ViewStateCache cache = new ViewStateCache(MAX_AGE, nanos::get);
        cache.get(store, Runnable::run);

        elapse(MAX_AGE);
        assertThat(version(cache.get(store, Runnable::run))).isEqualTo(2);
    }

    @Test
    void theAgeCountsFromWhenTheReadBegan() {
        ViewStateCache cache = new ViewStateCache(MAX_AGE, nanos::get);
        Supplier<ViewState> slow = () -> {
            elapse(Duration.ofMillis(400));
            return store.get();
        };
        cache.get(slow, Runnable::run);

        elapse(Duration.ofMillis(600));
        assertThat(version(cache.get(store, Runnable::run))).as("read 1 began 1 s ago").isEqualTo(2);
    }

    @Test
    void aFailedReadFailsTheRequestsThatNeedItAndTheNextRequestTriesAgain() {
        ViewStateCache cache = new ViewStateCache(MAX_AGE, nanos::get);
        Supplier<ViewState> down = () -> {
            throw new ViewStoreUnavailableException("Cassandra is down", null);
        };

        assertThatThrownBy(() -> cache.get(down, Runnable::run)).isInstanceOf(ViewStoreUnavailableException.class).hasMessage("Cassandra is down");
        assertThat(version(cache.get(store, Runnable::run))).isEqualTo(1);
    }

    @Test
    void aFailedBackgroundReadKeepsTheCurrentStateUntilItsMaximumAge() {
        ViewStateCache cache = new ViewStateCache(MAX_AGE, nanos::get);
        cache.get(store, Runnable::run);
        Supplier<ViewState> down = () -> {
            throw new ViewStoreUnavailableException("Cassandra is down", null);
        };

        elapse(Duration.ofMillis(700));
        assertThat(version(cache.get(down, Runnable::run))).isEqualTo(1);
        elapse(Duration.ofMillis(300));
        assertThatThrownBy(() -> cache.get(down, Runnable::run)).isInstanceOf(ViewStoreUnavailableException.class);
    }

    @Test
    void zeroMaximumAgeReadsForEveryRequest() {
        ViewStateCache cache = new ViewStateCache(Duration.ZERO, nanos::get);

        assertThat(version(cache.get(store, later))).isEqualTo(1);
        assertThat(version(cache.get(store, later))).isEqualTo(2);
        assertThat(queued).as("read on the request's own thread").isEmpty();
    }

    @Test
    void aFreshReadIsSharedWithTheRequestsThatFollowIt() {
        ViewStateCache cache = new ViewStateCache(MAX_AGE, nanos::get);
        cache.get(store, Runnable::run);

        elapse(Duration.ofMillis(100));
        assertThat(version(cache.readNow(store))).isEqualTo(2);
        assertThat(version(cache.get(store, later))).as("the state /v1/status read, not the one before it").isEqualTo(2);
        assertThat(queued).isEmpty();
    }

    @Test
    void aReadThatBeganBeforeAFreshOneDoesNotReplaceItWhenItEndsLater() {
        ViewStateCache cache = new ViewStateCache(MAX_AGE, nanos::get);
        cache.get(store, Runnable::run);
        elapse(Duration.ofMillis(600));
        cache.get(store, later); // starts the background read: version 2 once it runs
        elapse(Duration.ofMillis(10));
        ViewState fresh = cache.readNow(() -> state(9));

        runQueued();
        assertThat(cache.get(store, later)).as("the shared state never goes back in time").isSameAs(fresh);
    }

    @Test
    void zeroMaximumAgeSharesNoFreshRead() {
        ViewStateCache cache = new ViewStateCache(Duration.ZERO, nanos::get);

        assertThat(version(cache.readNow(store))).isEqualTo(1);
        assertThat(version(cache.get(store, later))).isEqualTo(2);
    }

    @Test
    void theStateABackgroundReadReplacedIsKnownUntilItIsAsOldAsTheMaximumAge() {
        ViewStateCache cache = new ViewStateCache(MAX_AGE, nanos::get);
        ViewState first = cache.get(store, Runnable::run);
        assertThat(cache.replacedBy(first)).as("nothing before the first state").isEmpty();
        elapse(Duration.ofMillis(600));
        cache.get(store, later);
        runQueued();
        ViewState second = cache.get(store, later);

        assertThat(cache.replacedBy(second)).containsSame(first);
        assertThat(cache.replacedBy(first)).as("not the shared state").isEmpty();
        elapse(Duration.ofMillis(400));
        assertThat(cache.replacedBy(second)).as("the state before is a second old").isEmpty();
    }

    @Test
    void aFreshReadLeavesNoStateBeforeIt() {
        ViewStateCache cache = new ViewStateCache(MAX_AGE, nanos::get);
        cache.get(store, Runnable::run);
        elapse(Duration.ofMillis(100));

        ViewState fresh = cache.readNow(store);
        assertThat(cache.replacedBy(fresh)).as("what follows /v1/status uses its state or a later one").isEmpty();
    }
}
