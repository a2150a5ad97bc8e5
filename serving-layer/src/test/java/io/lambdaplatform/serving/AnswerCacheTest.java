package io.lambdaplatform.serving;

import io.lambdaplatform.viewstore.BatchVersion;
import io.lambdaplatform.viewstore.InMemorySpeedViews;
import io.lambdaplatform.viewstore.ViewStoreUnavailableException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AnswerCacheTest {

    private static final Duration STATE_MAX_AGE = Duration.ofSeconds(1);
    private static final List<Object> QUESTION = List.of("metrics", "p-1", "1h");

    private final AtomicInteger computed = new AtomicInteger();
    /** An answer that says how many answers were computed before it. */
    private final Supplier<byte[]> compute = () -> ("answer " + computed.incrementAndGet()).getBytes(StandardCharsets.UTF_8);

    private static final InMemorySpeedViews SPEED = new InMemorySpeedViews();

    /** New answers to a state computed in the background wait here until a test runs them. */
    private final List<Runnable> refreshes = new ArrayList<>();

    private AnswerCache cache() {
        return new AnswerCache(1 << 20, STATE_MAX_AGE, refreshes::add, new SimpleMeterRegistry());
    }

    private static ViewState state() {
        return new ViewState(ViewsUsed.LAMBDA, SPEED, Optional.empty(), List.of(), List.of(), List.of(), Optional.empty());
    }

    private static String text(byte[] answer) {
        return new String(answer, StandardCharsets.UTF_8);
    }

    @Test
    void theSameQuestionOfTheSameStateIsAnsweredOnce() {
        AnswerCache cache = cache();
        ViewState state = state();

        assertThat(text(cache.answer(state, Optional.empty(), QUESTION, compute))).isEqualTo("answer 1");
        assertThat(text(cache.answer(state, Optional.empty(), List.of("metrics", "p-1", "1h"), compute))).isEqualTo("answer 1");
        assertThat(text(cache.answer(state, Optional.empty(), List.of("metrics", "p-2", "1h"), compute))).as("another question").isEqualTo("answer 2");
        assertThat(computed).hasValue(2);
    }

    @Test
    void anotherReadOfTheStateIsAnotherKeyEvenWhenItReadsTheSame() {
        AnswerCache cache = cache();
        ViewState first = state();
        ViewState second = state();
        assertThat(second).isEqualTo(first);

        cache.answer(first, Optional.empty(), QUESTION, compute);
        assertThat(text(cache.answer(second, Optional.empty(), QUESTION, compute))).as("computed with the later read's rows").isEqualTo("answer 2");
    }

    @Test
    void requestsForAnAnswerUnderWayWaitForItInsteadOfComputingItAgain() throws Exception {
        AnswerCache cache = cache();
        ViewState state = state();
        CountDownLatch computing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<byte[]> first = CompletableFuture.supplyAsync(() -> cache.answer(state, Optional.empty(), QUESTION, () -> {
            computing.countDown();
            await(release);
            return compute.get();
        }));
        assertThat(computing.await(10, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<byte[]> second = CompletableFuture.supplyAsync(() -> cache.answer(state, Optional.empty(), QUESTION, compute));
        Thread.sleep(50);
        assertThat(second).as("waits for the first").isNotDone();
        release.countDown();

        assertThat(text(first.get(10, TimeUnit.SECONDS))).isEqualTo("answer 1");
        assertThat(text(second.get(10, TimeUnit.SECONDS))).isEqualTo("answer 1");
        assertThat(computed).hasValue(1);
    }

    @Test
    void theAnswerUnderTheStateBeforeStandsInWhileTheNewOneIsComputedInTheBackground() {
        AnswerCache cache = cache();
        ViewState before = state();
        ViewState state = state();
        cache.answer(before, Optional.empty(), QUESTION, compute);

        assertThat(text(cache.answer(state, Optional.of(before), QUESTION, compute))).as("not held up").isEqualTo("answer 1");
        assertThat(text(cache.answer(state, Optional.of(before), QUESTION, compute))).isEqualTo("answer 1");
        assertThat(refreshes).as("one new answer under way, whoever asks").hasSize(1);
        assertThat(text(cache.answer(state, Optional.of(before), List.of("metrics", "p-2", "1h"), compute)))
                .as("a question without an answer before: computed at once").isEqualTo("answer 2");
        assertThat(text(cache.answer(state, Optional.empty(), List.of("metrics", "p-2", "1h"), compute))).isEqualTo("answer 2");

        refreshes.forEach(Runnable::run);
        assertThat(text(cache.answer(state, Optional.of(before), QUESTION, compute))).as("once computed, the new one").isEqualTo("answer 3");
        assertThat(computed).hasValue(3);
    }

    @Test
    void anAnswerFromAnotherBatchVersionNeverStandsIn() {
        AnswerCache cache = cache();
        ViewState before = state();
        ViewState rolledBack = new ViewState(ViewsUsed.LAMBDA, SPEED, Optional.of(new BatchVersion(3, Instant.parse("2026-11-24T10:00:00Z"),
                Instant.parse("2026-11-24T10:01:00Z"), Instant.parse("2026-11-24T10:02:00Z"), 0, 0)), List.of(), List.of(), List.of(), Optional.empty());
        cache.answer(before, Optional.empty(), QUESTION, compute);

        assertThat(text(cache.answer(rolledBack, Optional.of(before), QUESTION, compute))).isEqualTo("answer 2");
        assertThat(refreshes).isEmpty();
    }

    @Test
    void withoutAStateBeforeARequestWaitsForTheNewAnswer() {
        AnswerCache cache = cache();
        ViewState before = state();
        cache.answer(before, Optional.empty(), QUESTION, compute);

        assertThat(text(cache.answer(state(), Optional.empty(), QUESTION, compute))).as("after a fresh read of the state").isEqualTo("answer 2");
        assertThat(refreshes).isEmpty();
    }

    @Test
    void aFailedAnswerFailsItsRequestAndIsNotKept() {
        AnswerCache cache = cache();
        ViewState state = state();

        assertThatThrownBy(() -> cache.answer(state, Optional.empty(), QUESTION, () -> {
            throw new ViewStoreUnavailableException("Cassandra is not answering", null);
        })).isInstanceOf(ViewStoreUnavailableException.class);
        assertThat(text(cache.answer(state, Optional.empty(), QUESTION, compute))).isEqualTo("answer 1");
    }

    @Test
    void offWithoutBytesOrWhenTheStateIsReadForEveryRequest() {
        ViewState state = state();
        for (AnswerCache off : List.of(new AnswerCache(0, STATE_MAX_AGE, Runnable::run, new SimpleMeterRegistry()),
                new AnswerCache(1 << 20, Duration.ZERO, Runnable::run, new SimpleMeterRegistry()))) {
            assertThat(off.enabled()).isFalse();
            off.answer(state, Optional.empty(), QUESTION, compute);
            off.answer(state, Optional.empty(), QUESTION, compute);
        }
        assertThat(computed).hasValue(4);
    }

    @Test
    void reportsHitsAndMisses() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        AnswerCache cache = new AnswerCache(1 << 20, STATE_MAX_AGE, Runnable::run, meters);
        ViewState state = state();

        cache.answer(state, Optional.empty(), QUESTION, compute);
        cache.answer(state, Optional.empty(), QUESTION, compute);
        cache.answer(state, Optional.empty(), QUESTION, compute);

        assertThat(meters.get("cache.gets").tag("cache", "answers").tag("result", "hit").functionCounter().count()).isEqualTo(2);
        assertThat(meters.get("cache.gets").tag("cache", "answers").tag("result", "miss").functionCounter().count()).isEqualTo(1);
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
