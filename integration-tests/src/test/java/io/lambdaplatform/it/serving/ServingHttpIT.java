package io.lambdaplatform.it.serving;

import com.fasterxml.jackson.databind.JsonNode;
import io.lambdaplatform.it.stack.RealStack;
import io.lambdaplatform.stack.StackEndpoints;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Every validation error and its status, unknown routes and the bearer token, against the real Cassandra. */
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
        Map<String, String> cases = Map.of(
                "/v1/metrics/p-1?from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z&granularity=2h", "granularity",
                "/v1/metrics/p-1?from=2026-11-25T00:00:00Z&to=2026-11-24T00:00:00Z&granularity=1h", "to",
                "/v1/metrics/p-1?from=not-a-time&to=2026-11-25T00:00:00Z&granularity=1h", "from",
                "/v1/metrics/p-1?from=2026-11-24T00:00:00Z&to=2026-11-25&granularity=1h", "to",
                "/v1/metrics/p-1?from=2000-01-01T00:00:00Z&to=2026-11-25T00:00:00Z&granularity=5m", "to",
                "/v1/metrics/bad%2Fproduct?" + OK_RANGE, "product_id",
                "/v1/metrics/caf%C3%A9?" + OK_RANGE, "product_id",
                "/v1/products?limit=-1", "limit");

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
