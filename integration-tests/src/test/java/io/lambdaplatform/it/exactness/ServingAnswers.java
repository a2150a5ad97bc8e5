package io.lambdaplatform.it.exactness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lambdaplatform.it.layers.LayerProcess;
import io.lambdaplatform.model.DurationSketch;
import io.lambdaplatform.model.UserSketch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One serving instance seen from outside, through HTTP only: every window of every product at 5m, 1h and 1d compared
 * with the {@link Truth}, and the speed watermark awaited.
 */
public final class ServingAnswers {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What one comparison saw: the batch coverage of the answers (empty before the first run), windows and dead letters. */
    public record Checked(Optional<JsonNode> batch, int windows, long deadLetters) {}

    private final String baseUrl;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public ServingAnswers(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** Waits until {@code /health/ready} answers 200. */
    public void awaitReady(LayerProcess serving) {
        await("serving layer ready; log " + serving.log()).atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(250))
                .ignoreExceptionsInstanceOf(UncheckedIOException.class) // not listening yet
                .failFast("the serving layer exited; log " + serving.log(), () -> !serving.isAlive())
                .until(() -> get("/health/ready").statusCode() == 200);
    }

    /**
     * Waits until the speed watermark the service reports passes {@code sentBy} and the dead letters reach the invalid
     * records sent.
     *
     * @param speedAlive false fails the wait at once: the speed layer exited
     */
    public void awaitCaughtUp(Instant sentBy, Truth truth, Duration timeout, BooleanSupplier speedAlive, String speedLogs) {
        await("speed watermark passes " + sentBy + "; logs " + speedLogs).atMost(timeout).pollInterval(Duration.ofMillis(500))
                .failFast("the speed layer exited; logs " + speedLogs, () -> !speedAlive.getAsBoolean())
                .untilAsserted(() -> {
                    JsonNode status = json(get("/v1/status"));
                    JsonNode watermark = status.get("speed").get("watermark");
                    assertThat(!watermark.isNull() && Instant.parse(watermark.asText()).isAfter(sentBy)).as("watermark in %s", status).isTrue();
                    assertThat(status.get("dead_letters").get("total").asLong()).as("dead letters in %s", status)
                            .isGreaterThanOrEqualTo(truth.invalidCount());
                });
    }

    /**
     * Waits until the service answers from batch version {@code version}. It reads the pointer once per
     * {@code lambda.serving.reads.state-max-age} (500 ms by default) for all requests, so a publish or a rollback reaches its
     * answers within that time, not at once.
     */
    public void awaitBatchVersion(long version) {
        await("answers from batch version " + version).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> {
                    JsonNode batch = json(get("/v1/metrics/p-never-sent?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z&granularity=1d"))
                            .get("batch");
                    assertThat(batch.isNull() ? null : batch.get("version").asLong()).as("the answer's batch version").isEqualTo(version);
                });
    }

    /**
     * Compares every window of every product (and of one never sent) at every granularity with the truth, and the
     * dead letters by reason with the invalid records sent.
     */
    public Checked assertExact(Truth truth, String step) {
        Instant from = truth.earliest().truncatedTo(ChronoUnit.DAYS);
        Instant to = truth.latest().truncatedTo(ChronoUnit.DAYS).plus(Duration.ofDays(1));
        int windows = 0;
        JsonNode batch = null;
        List<String> products = new ArrayList<>(truth.products());
        products.add("p-never-sent");
        for (String product : products) {
            for (String granularity : Truth.GRANULARITIES.keySet()) {
                HttpResponse<String> response = get("/v1/metrics/" + product + "?from=" + from + "&to=" + to + "&granularity=" + granularity);
                assertThat(response.statusCode()).as("%s %s %s %s: %s", baseUrl, step, product, granularity, response.body()).isEqualTo(200);
                JsonNode answer = json(response);
                assertThat(answer.get("complete").asBoolean()).as("%s %s %s %s complete: %s", baseUrl, step, product, granularity, response.body())
                        .isTrue();
                Map<Instant, String> expected = truth.windows(product, granularity);
                assertThat(windows(answer)).as("%s step %s: product %s at %s", baseUrl, step, product, granularity).isEqualTo(expected);
                assertWithinSketchBounds(answer, truth.sketches(product, granularity), baseUrl + " step " + step + ": " + product + " at " + granularity);
                windows += expected.size();
                batch = answer.get("batch");
            }
        }
        JsonNode status = json(get("/v1/status"));
        long deadLetters = status.get("dead_letters").get("total").asLong();
        assertThat(deadLetters).as("%s step %s: dead-lettered = invalid sent %s", baseUrl, step, truth.invalidByReason()).isEqualTo(truth.invalidCount());
        Map<String, Long> byReason = new TreeMap<>();
        status.get("dead_letters").get("by_reason").properties().forEach(entry -> byReason.put(entry.getKey(), entry.getValue().asLong()));
        assertThat(byReason).as("%s step %s: dead letters by reason", baseUrl, step).isEqualTo(truth.invalidByReason());
        return new Checked(batch == null || batch.isNull() ? Optional.empty() : Optional.of(batch), windows, deadLetters);
    }

    /**
     * Every window's distinct users within 3 standard errors of the truth's, and its p50, p95 and p99 durations each a
     * duration whose true rank is within the KLL rank error of the asked one: the bounds docs/http-api.md states.
     */
    static void assertWithinSketchBounds(JsonNode answer, Map<Instant, Truth.SketchTruth> truth, String where) {
        for (JsonNode window : answer.get("windows")) {
            Instant start = Instant.parse(window.get("start").asText());
            Truth.SketchTruth exact = truth.get(start);
            String at = where + " window " + start;
            assertThat(window.get("unique_users").isNull()).as("%s: unique_users known", at).isFalse();
            long users = exact.users().size();
            assertThat((double) Math.abs(window.get("unique_users").asLong() - users))
                    .as("%s: %s distinct users estimated for %d", at, window.get("unique_users"), users)
                    .isLessThanOrEqualTo(3 * UserSketch.relativeStandardError() * users);
            JsonNode quantiles = window.get("duration_quantiles_ms");
            assertThat(quantiles.isNull()).as("%s: duration quantiles known", at).isFalse();
            for (Map.Entry<String, Double> rank : Map.of("p50", 0.5, "p95", 0.95, "p99", 0.99).entrySet()) {
                long value = quantiles.get(rank.getKey()).asLong();
                assertThat(rank.getValue()).as("%s: %s = %d, of true rank [%s, %s] among %d durations", at, rank.getKey(), value,
                                exact.rank(value, false), exact.rank(value, true), exact.durations().length)
                        .isBetween(exact.rank(value, false) - DurationSketch.normalizedRankError(),
                                exact.rank(value, true) + DurationSketch.normalizedRankError());
            }
        }
    }

    /** Window start → the truth's description of its measures. */
    public static Map<Instant, String> windows(JsonNode answer) {
        Map<Instant, String> windows = new TreeMap<>();
        for (JsonNode window : answer.get("windows")) {
            windows.put(Instant.parse(window.get("start").asText()), Truth.describe(window.get("event_count").asLong(),
                    new BigDecimal(window.get("revenue").asText()), window.get("duration_sum_ms").asLong()));
        }
        return windows;
    }

    public HttpResponse<String> get(String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        }
        catch (IOException e) {
            throw new UncheckedIOException("GET " + baseUrl + path + " failed", e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted during GET " + path, e);
        }
    }

    public static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        }
        catch (IOException e) {
            throw new UncheckedIOException("Not JSON: " + response.body(), e);
        }
    }
}
