package io.lambdaplatform.it.serving;

import com.fasterxml.jackson.databind.JsonNode;
import io.lambdaplatform.it.stack.RealStack;
import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.stack.StackEndpoints;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Every validation error and its status, unknown routes, the bearer token and the answers across products, against the real Cassandra. */
@RealStack
class ServingHttpIT {

    private static final String TOKEN = "it-token-7f3a9c";
    private static final String OK_RANGE = "from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z&granularity=1h";
    private static ServingFixture serving;

    @BeforeAll
    static void start(StackEndpoints endpoints) {
        serving = ServingFixture.start(endpoints, TOKEN);
    }

    @AfterAll
    static void stop() {
        serving.close();
    }

    private static HttpResponse<String> authorized(String path) {
        return serving.get(path, "Authorization", "Bearer " + TOKEN);
    }

    @Test
    void everyValidationErrorIs400WithTheParameterNamed() {
        Map<String, String> cases = Map.ofEntries(
                Map.entry("/v1/totals?from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z&granularity=2h", "granularity"),
                Map.entry("/v1/totals?from=2026-11-25T00:00:00Z&to=2026-11-24T00:00:00Z&granularity=1h", "to"),
                Map.entry("/v1/top?" + OK_RANGE + "&by=users", "by"),
                Map.entry("/v1/top?" + OK_RANGE + "&limit=1000", "limit"),
                Map.entry("/v1/metrics/p-1?from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z&granularity=2h", "granularity"),
                Map.entry("/v1/metrics/p-1?from=2026-11-25T00:00:00Z&to=2026-11-24T00:00:00Z&granularity=1h", "to"),
                Map.entry("/v1/metrics/p-1?from=not-a-time&to=2026-11-25T00:00:00Z&granularity=1h", "from"),
                Map.entry("/v1/metrics/p-1?from=2026-11-24T00:00:00Z&to=2026-11-25&granularity=1h", "to"),
                Map.entry("/v1/metrics/p-1?from=2000-01-01T00:00:00Z&to=2026-11-25T00:00:00Z&granularity=5m", "to"),
                Map.entry("/v1/metrics/bad%2Fproduct?" + OK_RANGE, "product_id"),
                Map.entry("/v1/metrics/caf%C3%A9?" + OK_RANGE, "product_id"),
                Map.entry("/v1/products?limit=-1", "limit"));

        cases.forEach((path, parameter) -> {
            HttpResponse<String> response = authorized(path);
            assertThat(response.statusCode()).as(path).isEqualTo(400);
            JsonNode body = ServingFixture.json(response);
            assertThat(body.get("error").asText()).as(path).isEqualTo("invalid_parameter");
            assertThat(body.get("parameter").asText()).as(path).isEqualTo(parameter);
            assertThat(response.body()).doesNotContain("Exception").doesNotContain("\tat ");
        });
    }

    @Test
    void totalsAndTopAddUpEveryProductExactlyThroughCassandra() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        EventHistory history = EventHistory.synthetic("it-http-a", now, 6, 90);
        for (int i = 0; i < 40; i++) {
            Instant eventTime = now.minus(Duration.ofMinutes(9L * i + 1));
            history.add("b-" + i, "it-http-b", eventTime.toString(), eventTime.plusSeconds(i % 7).toString(), "1.25", 10);
        }
        serving.runSpeedLayer(history, now, Instant.EPOCH, Duration.ofDays(7), now.minus(Duration.ofDays(1)));
        Instant cutoff = now.minus(Duration.ofHours(2));
        serving.publishBatch(history, cutoff);
        Instant from = now.minus(Duration.ofDays(1)).truncatedTo(ChronoUnit.HOURS);
        Instant to = now.plus(Duration.ofHours(1)).truncatedTo(ChronoUnit.HOURS);
        String range = "from=" + from + "&to=" + to;

        JsonNode totals = ServingFixture.json(authorized("/v1/totals?" + range + "&granularity=1h"));
        Map<Instant, Long> expected = new java.util.TreeMap<>();
        for (String product : List.of("it-http-a", "it-http-b")) {
            history.expected(product, Granularity.ONE_HOUR, from, to).forEach((window, metrics) -> expected.merge(window.start(), metrics.eventCount(), Long::sum));
        }
        Map<Instant, Long> answered = new java.util.TreeMap<>();
        totals.get("windows").forEach(window -> answered.put(Instant.parse(window.get("start").asText()), window.get("event_count").asLong()));
        assertThat(answered).isEqualTo(expected);
        assertThat(totals.get("products").asInt()).isEqualTo(2);
        assertThat(totals.get("batch").get("cutoff").asText()).isEqualTo(cutoff.toString());
        assertThat(totals.get("complete").asBoolean()).isTrue();

        JsonNode top = ServingFixture.json(authorized("/v1/top?" + range + "&limit=1"));
        assertThat(top.get("products")).singleElement().satisfies(product -> {
            assertThat(product.get("product_id").asText()).isEqualTo("it-http-a");
            assertThat(product.get("event_count").asLong()).isEqualTo(90);
        });
        assertThat(serving.get("/v1/top?" + range).statusCode()).as("the token guards it too").isEqualTo(401);
    }

    @Test
    void unknownRoutesAre404Json() {
        HttpResponse<String> response = serving.get("/v2/metrics/p-1");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(ServingFixture.json(response).get("error").asText()).isEqualTo("not_found");
    }

    @Test
    void theTokenGuardsTheApi() {
        String path = "/v1/metrics/p-1?" + OK_RANGE;

        assertThat(serving.get(path).statusCode()).isEqualTo(401);
        assertThat(serving.get(path, "Authorization", "Bearer not-" + TOKEN).statusCode()).isEqualTo(401);
        HttpResponse<String> ok = authorized(path);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ServingFixture.json(ok).get("windows")).isEmpty();
        assertThat(authorized("/v1/status").statusCode()).isEqualTo(200);
        assertThat(serving.get("/health/ready").statusCode()).isEqualTo(200);
        assertThat(serving.get("/health/live").statusCode()).isEqualTo(200);
    }
}
