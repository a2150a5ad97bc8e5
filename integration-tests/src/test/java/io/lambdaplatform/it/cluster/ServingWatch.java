package io.lambdaplatform.it.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.lambdaplatform.it.exactness.ServingAnswers;
import io.lambdaplatform.it.exactness.Truth;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Asks the serving instances, one after the other every {@value #PAUSE_MILLIS} ms, for one product's whole range at 1d while the test
 * kills and restarts servers, and notes every answer that breaks a promise: a status other than 200, or a
 * {@code complete: true} answer holding fewer events than were ingested before its speed watermark, or more than were
 * ever sent. Rotates over the products the truth knows. The pause keeps the watch from taking a core of the two that the
 * other suites share (without it, one answer every 90 ms kept the serving instances and the ring busy); it still asks
 * several thousand times in a run.
 */
final class ServingWatch implements AutoCloseable {

    /** What the watch saw: problems (empty when every promise held) and how many answers of each kind it checked. */
    record Seen(List<String> problems, long completeAnswers, long incompleteAnswers) {}

    private static final int MAX_PROBLEMS = 20;
    private static final long PAUSE_MILLIS = 200;

    private final List<ServingAnswers> instances;
    private final Truth truth;
    private final Thread thread;
    private final List<String> problems = new CopyOnWriteArrayList<>();
    private final AtomicLong complete = new AtomicLong();
    private final AtomicLong incomplete = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    /** When the first and the latest incomplete answer came, to tell start-up from a fault. */
    private volatile Instant firstIncomplete;
    private volatile Instant lastIncomplete;
    private volatile boolean running = true;

    private ServingWatch(List<ServingAnswers> instances, Truth truth) {
        this.instances = new CopyOnWriteArrayList<>(instances);
        this.truth = truth;
        this.thread = new Thread(this::watch, "it-serving-watch");
        this.thread.setDaemon(true);
    }

    static ServingWatch start(List<ServingAnswers> instances, Truth truth) {
        ServingWatch watch = new ServingWatch(instances, truth);
        watch.thread.start();
        return watch;
    }

    /** Stops asking {@code instance}, before the test kills it. Returns once no request to it is under way. */
    void forget(ServingAnswers instance) throws InterruptedException {
        instances.remove(instance);
        // The request under way, if any, ends within its timeout; one more full round proves it has.
        long seen = requests.get();
        while (running && requests.get() < seen + instances.size() + 1) {
            Thread.sleep(50);
        }
    }

    Seen seen() {
        return new Seen(List.copyOf(problems), complete.get(), incomplete.get());
    }

    String summary() {
        Seen seen = seen();
        return String.format(Locale.ROOT, "Serving watch: %d requests, %d complete answers checked, %d incomplete (first %s, last %s), "
                        + "%d problems%s",
                requests.get(), seen.completeAnswers(), seen.incompleteAnswers(), firstIncomplete, lastIncomplete, seen.problems().size(),
                seen.problems().isEmpty() ? "" : ":\n  " + String.join("\n  ", seen.problems()));
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(Duration.ofMinutes(1).toMillis());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void watch() {
        long round = 0;
        while (running) {
            List<String> products = new ArrayList<>(truth.products());
            if (products.isEmpty()) {
                sleep();
                continue;
            }
            for (ServingAnswers instance : instances) {
                check(instance, products.get((int) (round % products.size())));
                requests.incrementAndGet();
                sleep();
            }
            round++;
        }
    }

    private void check(ServingAnswers instance, String product) {
        Instant from = Instant.now().minus(Duration.ofDays(4)).truncatedTo(ChronoUnit.DAYS);
        Instant to = Instant.now().plus(Duration.ofDays(2)).truncatedTo(ChronoUnit.DAYS);
        try {
            HttpResponse<String> response = instance.get("/v1/metrics/" + product + "?from=" + from + "&to=" + to + "&granularity=1d");
            if (response.statusCode() != 200) {
                problem(instance, "HTTP " + response.statusCode() + " " + response.body());
                return;
            }
            long sentAfter = truth.sentCount(product);
            JsonNode answer = ServingAnswers.json(response);
            long events = 0;
            for (JsonNode window : answer.get("windows")) {
                events += window.get("event_count").asLong();
            }
            if (events > sentAfter) {
                problem(instance, product + ": " + events + " events, only " + sentAfter + " ever sent");
            }
            JsonNode watermark = answer.get("speed").get("watermark");
            if (!answer.get("complete").asBoolean() || watermark.isNull()) {
                incomplete.incrementAndGet();
                lastIncomplete = Instant.now();
                if (firstIncomplete == null) {
                    firstIncomplete = lastIncomplete;
                }
                return;
            }
            complete.incrementAndGet();
            long atLeast = truth.countIngestedBefore(product, Instant.parse(watermark.asText()));
            if (events < atLeast) {
                problem(instance, product + ": complete with " + events + " events, but " + atLeast + " were ingested before its watermark "
                        + watermark.asText());
            }
        }
        catch (RuntimeException e) {
            problem(instance, product + ": " + e);
        }
    }

    private void problem(ServingAnswers instance, String what) {
        if (problems.size() < MAX_PROBLEMS) {
            problems.add(Instant.now() + " " + instance.baseUrl() + " " + what);
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(PAUSE_MILLIS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
