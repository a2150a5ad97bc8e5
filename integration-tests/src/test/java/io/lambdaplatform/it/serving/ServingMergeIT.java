package io.lambdaplatform.it.serving;

import com.fasterxml.jackson.databind.JsonNode;
import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.it.stack.RealStack;
import io.lambdaplatform.stack.StackEndpoints;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same events through the speed and the batch views in the real Cassandra, then the HTTP
 * answers compared window by window with the aggregate of all events, at every granularity: before
 * the first batch run (speed alone) and after it (batch up to the cutoff, speed from it).
 */
// Among the longest classes, so it starts early when classes run in parallel (integration-tests/pom.xml).
@Order(9)
@RealStack
class ServingMergeIT {

    private static final String PRODUCT = "it-merge-1";
    private static ServingFixture serving;

    @BeforeAll
    static void start(StackEndpoints endpoints) {
        serving = ServingFixture.start(endpoints, null);
    }

    @AfterAll
    static void stop() {
        serving.close();
    }

    @Test
    void answersEqualTheAggregateOfAllEventsBeforeAndAfterABatchRun() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        EventHistory history = EventHistory.synthetic(PRODUCT, now, 30, 600)
                .add("other-product", "other-1", now.minusSeconds(600).toString(), now.minusSeconds(590).toString(), "99.99", 1);
        serving.runSpeedLayer(history, now, Instant.EPOCH);
        Instant from = now.minus(Duration.ofDays(2)).truncatedTo(ChronoUnit.DAYS);
        Instant to = now.plus(Duration.ofDays(1)).truncatedTo(ChronoUnit.DAYS);

        for (Granularity granularity : Granularity.values()) {
            JsonNode answer = metrics(from, to, granularity);
            assertThat(answer.get("batch").isNull()).isTrue();
            assertThat(ServingFixture.windows(answer)).as("speed alone at %s", granularity)
                    .isEqualTo(history.expected(PRODUCT, granularity, from, to));
            assertThat(ServingFixture.sourceCount(answer, "batch")).isZero();
            // No batch view yet: rows older than the speed retention cannot be vouched for.
            assertThat(answer.get("complete").asBoolean()).isFalse();
            assertThat(answer.get("incomplete").get(0).get("from").asText()).isEqualTo("1970-01-01T00:00:00Z");
        }

        Instant cutoff = now.minus(Duration.ofHours(3)).plusSeconds(7 * 60);
        serving.publishBatch(history, cutoff);

        for (Granularity granularity : Granularity.values()) {
            JsonNode answer = metrics(from, to, granularity);
            assertThat(answer.get("batch").get("version").asLong()).isEqualTo(1);
            assertThat(answer.get("batch").get("cutoff").asText()).isEqualTo(cutoff.toString());
            assertThat(answer.get("speed").get("watermark").asText()).isEqualTo(now.toString());
            assertThat(answer.get("complete").asBoolean()).isTrue();
            assertThat(ServingFixture.windows(answer)).as("batch + speed at %s", granularity)
                    .isEqualTo(history.expected(PRODUCT, granularity, from, to));
            assertThat(ServingFixture.sourceCount(answer, "batch")).isEqualTo(history.countIngestedBefore(cutoff));
            assertThat(ServingFixture.sourceCount(answer, "batch") + ServingFixture.sourceCount(answer, "speed")).isEqualTo(600);
        }
    }

    @Test
    void aPlatformYoungerThanTheRetentionIsCompleteAndRowsExpiredBeforeABatchRunAreNot(StackEndpoints endpoints) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        EventHistory history = EventHistory.synthetic(PRODUCT, now, 2, 40);
        Instant from = now.minus(Duration.ofDays(2)).truncatedTo(ChronoUnit.DAYS);
        Instant to = now.plus(Duration.ofDays(1)).truncatedTo(ChronoUnit.DAYS);
        Instant began = now.minus(Duration.ofHours(3));
        try (ServingFixture fresh = ServingFixture.start(endpoints, null)) {
            // Started three hours ago, rows live a week: nothing can be missing, with or without a batch view.
            fresh.runSpeedLayer(history, now, Instant.EPOCH, Duration.ofDays(7), began);
            assertThat(ServingFixture.json(fresh.get("/v1/status")).get("complete").asBoolean()).isTrue();
            JsonNode speedAlone = metrics(fresh, from, to, Granularity.ONE_HOUR);
            assertThat(speedAlone.get("complete").asBoolean()).as(speedAlone.toString()).isTrue();
            assertThat(speedAlone.get("incomplete")).isEmpty();
            assertThat(ServingFixture.windows(speedAlone)).isEqualTo(history.expected(PRODUCT, Granularity.ONE_HOUR, from, to));

            fresh.publishBatch(history, now.minus(Duration.ofHours(1)));
            assertThat(metrics(fresh, from, to, Granularity.ONE_HOUR).get("complete").asBoolean()).isTrue();
        }
        try (ServingFixture expired = ServingFixture.start(endpoints, null)) {
            // Started three hours ago, rows live an hour, no batch run: the first two hours of rows may be gone.
            expired.runSpeedLayer(history, now, Instant.EPOCH, Duration.ofHours(1), began);
            JsonNode answer = metrics(expired, from, to, Granularity.ONE_HOUR);
            assertThat(answer.get("complete").asBoolean()).isFalse();
            assertThat(answer.get("incomplete")).singleElement().satisfies(gap -> {
                assertThat(gap.get("from").asText()).isEqualTo(began.toString());
                assertThat(Instant.parse(gap.get("to").asText()))
                        .isEqualTo(Instant.parse(answer.get("generated_at").asText()).minus(Duration.ofHours(1)));
                assertThat(gap.get("reason").asText()).contains("may have expired");
            });
            JsonNode status = ServingFixture.json(expired.get("/v1/status"));
            assertThat(status.get("complete").asBoolean()).isFalse();
            assertThat(status.get("speed").get("partitions").get(0).get("log_begins").asText()).isEqualTo(began.toString());
        }
    }

    private static JsonNode metrics(Instant from, Instant to, Granularity granularity) {
        return metrics(serving, from, to, granularity);
    }

    private static JsonNode metrics(ServingFixture serving, Instant from, Instant to, Granularity granularity) {
        HttpResponse<String> response = serving.get("/v1/metrics/" + PRODUCT + "?from=" + from + "&to=" + to + "&granularity=" + granularity.label());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return ServingFixture.json(response);
    }
}
