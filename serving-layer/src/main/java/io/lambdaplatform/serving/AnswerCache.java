package io.lambdaplatform.serving;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * Answers (their JSON) shared by the requests that ask the same question of the same shared state: a dashboard that
 * many people watch asks the same few questions many times a second, and each answer is computed once per state.
 *
 * <p>Sharing keeps answers exact, because an answer is a function of the state it used and of rows that only grow: the
 * answer computed for a state counts every event ingested before that state's watermark once, whichever request
 * computed it, and says so (its {@code generated_at}, {@code speed.watermark} and {@code lag_seconds} are those of the
 * computation). Keyed by the state's identity (one read of it, {@link ViewStateCache}) and the question (the endpoint
 * and its parsed parameters), so a new state is a new key.
 *
 * <p>When a new state comes, the first request for each question starts the new answer on a small pool and takes the
 * answer under the state before, and so do the requests that ask while it is computed: nobody waits for the new state.
 * That earlier answer stands in only while its state is younger than {@code lambda.serving.reads.state-max-age} and only
 * when it names the same batch version and view set, so answers are as fresh as the shared state already allows (a
 * flip, a rollback, a watermark reach every answer within that age) and a flip or rollback is never undone by a later
 * answer. After a fresh read of the state ({@code /v1/status}) nothing stands in: what follows it is at least as fresh
 * ({@link ViewStateCache#readNow}). Without an earlier answer the first request computes on its own thread and the
 * others wait for it. A failed answer fails the requests that wait for it and is not kept.
 *
 * <p>Bounded by the bytes of the answers ({@code lambda.serving.answer-cache.max-bytes}); off when that is 0 or when
 * the state is read for every request ({@code state-max-age} 0). Thread-safe.
 */
final class AnswerCache {

    /** What a key and its entry take besides the answer's bytes, about. */
    private static final int ENTRY_BYTES = 256;

    /** A question asked of one state: equal only for the same read of the state, not for an equal one read later. */
    private record Key(ViewState state, List<Object> question) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && key.state == state && key.question.equals(question);
        }

        @Override
        public int hashCode() {
            return 31 * System.identityHashCode(state) + question.hashCode();
        }
    }

    private final AsyncCache<Key, byte[]> answers;
    private final boolean enabled;
    private final Executor refreshes;
    private final Counter stoodIn;
    private final Timer waited;

    /**
     * @param maxBytes    bytes of answers held at most; 0 shares nothing
     * @param stateMaxAge how long one read of the shared state serves requests; zero shares nothing
     * @param refreshes   computes the answers to a new state while the answers to the state before stand in
     * @param meters      where hits, misses, evictions and size go as {@code cache.*{cache=answers}}, with the stand-ins
     *                    and the waits
     */
    AnswerCache(long maxBytes, Duration stateMaxAge, Executor refreshes, MeterRegistry meters) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must not be negative: " + maxBytes);
        }
        requireNonNull(stateMaxAge, "stateMaxAge is null");
        this.refreshes = requireNonNull(refreshes, "refreshes is null");
        this.enabled = maxBytes > 0 && !stateMaxAge.isZero();
        this.answers = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .<Key, byte[]>weigher((key, answer) -> answer.length + ENTRY_BYTES)
                // A state is replaced within its age; an answer to it is never asked for after that.
                .expireAfterWrite(enabled ? stateMaxAge : Duration.ofSeconds(1))
                .recordStats()
                .buildAsync();
        CaffeineCacheMetrics.monitor(meters, answers, "answers");
        this.stoodIn = Counter.builder("lambda.serving.answers.stood-in")
                .description("Requests answered with the answer under the state before while the current state's was computed")
                .register(meters);
        this.waited = Timer.builder("lambda.serving.answers.waited")
                .description("Time requests waited for an answer another request was computing")
                .register(meters);
    }

    /** Whether answers are shared; when not, {@link #answer} computes every one. */
    boolean enabled() {
        return enabled;
    }

    /**
     * The answer to {@code question} under {@code state}: the one computed already, else a new one. When the state before
     * has an answer to the same question, it stands in: this request gets it at once, and the new answer is computed on
     * {@code refreshes} (once, whoever asks meanwhile). Else this request computes it on its own thread, and the ones
     * that ask meanwhile wait for it.
     *
     * @param before   the state {@code state} replaced, while it is younger than the state's maximum age
     *                 ({@link ViewStateCache#replacedBy}); empty when no earlier answer may stand in. Its answers stand in
     *                 only when it names the same batch version and view set ({@link ViewState#sameViewsAs}): after a flip
     *                 or a rollback no answer shows the version before once one has shown the new one
     * @param question the endpoint and every parameter that changes the answer, each with value equality
     * @param compute  the answer, computed with {@code state}; its exceptions reach the requests waiting for it
     */
    byte[] answer(ViewState state, Optional<ViewState> before, List<Object> question, Supplier<byte[]> compute) {
        if (!enabled) {
            return compute.get();
        }
        CompletableFuture<byte[]> mine = new CompletableFuture<>();
        CompletableFuture<byte[]> shared = answers.get(new Key(requireNonNull(state, "state is null"), question), (key, executor) -> mine);
        if (shared.isDone() && shared != mine) {
            return await(shared);
        }
        // asMap().get records no hit or miss: this request was counted once, above.
        CompletableFuture<byte[]> earlier = before.filter(previous -> previous.sameViewsAs(state))
                .map(previous -> answers.asMap().get(new Key(previous, question)))
                .orElse(null);
        boolean standIn = earlier != null && earlier.isDone() && !earlier.isCompletedExceptionally();
        if (shared == mine) {
            if (standIn) {
                refreshes.execute(() -> computeInto(mine, compute));
            }
            else {
                computeInto(mine, compute);
                return await(mine);
            }
        }
        if (standIn) {
            stoodIn.increment();
            return earlier.join();
        }
        return waited.record(() -> await(shared));
    }

    private static void computeInto(CompletableFuture<byte[]> answer, Supplier<byte[]> compute) {
        try {
            answer.complete(compute.get());
        }
        catch (RuntimeException | Error e) {
            // The cache drops a failed entry; the next request computes it again.
            answer.completeExceptionally(e);
        }
    }

    private static byte[] await(CompletableFuture<byte[]> answer) {
        try {
            return answer.join();
        }
        catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error cause) {
                throw cause;
            }
            throw e;
        }
    }
}
