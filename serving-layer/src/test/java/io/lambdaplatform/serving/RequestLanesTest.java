package io.lambdaplatform.serving;

import io.lambdaplatform.viewstore.ViewStoreUnavailableException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RequestLanesTest {

    private static final Duration LONG = Duration.ofMinutes(1);

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ExecutorService requests = Executors.newCachedThreadPool();
    private final ExecutorService reads = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        requests.shutdownNow();
        reads.shutdownNow();
    }

    @Test
    void aHeavyRequestStartsNoReadWhileALightOneIsInFlight() throws Exception {
        RequestLanes lanes = new RequestLanes(reads, LONG, LONG, meters);
        CountDownLatch lightMayEnd = new CountDownLatch(1);
        CompletableFuture<String> light = CompletableFuture.supplyAsync(() -> lanes.light(() -> {
            awaitLatch(lightMayEnd);
            return "light";
        }), requests);
        until(() -> lanes.lightInFlight() == 1);

        AtomicReference<Thread> heavyThread = new AtomicReference<>();
        CountDownLatch readStarted = new CountDownLatch(1);
        CompletableFuture<String> heavy = CompletableFuture.supplyAsync(() -> lanes.heavy(turn -> {
            heavyThread.set(Thread.currentThread());
            return CompletableFuture.supplyAsync(() -> {
                readStarted.countDown();
                return "rows";
            }, turn.reads()).join();
        }, rows -> rows + " as JSON"), requests);

        // The heavy request waits for the light one before its read starts.
        until(() -> heavyThread.get() != null
                && heavyThread.get().getState() == Thread.State.TIMED_WAITING);
        assertThat(readStarted.getCount()).as("the heavy request's read started beside a light request").isEqualTo(1);

        lightMayEnd.countDown();
        assertThat(light.get(10, TimeUnit.SECONDS)).isEqualTo("light");
        assertThat(heavy.get(10, TimeUnit.SECONDS)).isEqualTo("rows as JSON");
        assertThat(meters.get("lambda.serving.heavy.gave-way").timer().count()).isEqualTo(1);
    }

    @Test
    void aHeavyRequestWaitsForLightOnesAtMostItsStepPatience() throws Exception {
        RequestLanes lanes = new RequestLanes(reads, LONG, Duration.ofMillis(50), meters);
        CountDownLatch lightMayEnd = new CountDownLatch(1);
        CompletableFuture.runAsync(() -> lanes.light(() -> {
            awaitLatch(lightMayEnd);
            return null;
        }), requests);
        until(() -> lanes.lightInFlight() == 1);

        // A light request that never ends: the heavy one still makes its two steps (its read and its JSON).
        String answer = lanes.heavy(turn -> CompletableFuture.supplyAsync(() -> "rows", turn.reads()).join(), rows -> rows + " as JSON");

        assertThat(answer).isEqualTo("rows as JSON");
        assertThat(meters.get("lambda.serving.heavy.gave-way").timer().count()).isEqualTo(2);
        assertThat(meters.get("lambda.serving.heavy.gave-way").timer().totalTime(TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(100.0);
        lightMayEnd.countDown();
    }

    @Test
    void heavyRequestsRunOneAtATimeAndOneThatWaitsTooLongForItsTurnIsRefused() throws Exception {
        RequestLanes lanes = new RequestLanes(reads, Duration.ofMillis(100), LONG, meters);
        CountDownLatch firstMayEnd = new CountDownLatch(1);
        CountDownLatch firstRunning = new CountDownLatch(1);
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> lanes.heavy(turn -> {
            firstRunning.countDown();
            awaitLatch(firstMayEnd);
            return "first";
        }, answer -> answer), requests);
        awaitLatch(firstRunning);

        assertThatThrownBy(() -> lanes.heavy(turn -> "second", answer -> answer))
                .isInstanceOf(ViewStoreUnavailableException.class)
                .hasMessageContaining("waited PT0.1S for its turn");

        firstMayEnd.countDown();
        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("first");
        String third = lanes.heavy(turn -> "third", answer -> answer);
        assertThat(third).isEqualTo("third");
    }

    @Test
    void aLightRequestThatFailsLeavesTheLightLane() {
        RequestLanes lanes = new RequestLanes(reads, LONG, LONG, meters);

        assertThatThrownBy(() -> lanes.light(() -> {
            throw new IllegalStateException("read failed");
        })).hasMessage("read failed");

        assertThat(lanes.lightInFlight()).isZero();
    }

    /** Polls {@code condition} until it holds, for ten seconds at most. */
    private static void until(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("the condition held within 10 s").isLessThan(deadline);
            Thread.sleep(1);
        }
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            assertThat(latch.await(1, TimeUnit.MINUTES)).isTrue();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
