package io.lambdaplatform.it.serving;

import com.fasterxml.jackson.databind.JsonNode;
import io.lambdaplatform.serving.CassandraViewSource;
import io.lambdaplatform.serving.ServingConfig;
import io.lambdaplatform.serving.ServingServer;
import io.lambdaplatform.it.stack.RealStack;
import io.lambdaplatform.stack.StackEndpoints;
import io.lambdaplatform.viewstore.CassandraSettings;
import io.lambdaplatform.viewstore.ViewSchema;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cassandra unreachable, at start-up and later: 503 with Retry-After, not ready, and recovery by
 * itself. The shared stack's Cassandra keeps running; the serving layer reaches it through a TCP
 * proxy that the test cuts and restores.
 */
@RealStack
class ServingOutageIT {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void answers503WhileCassandraIsUnreachableAndRecoversByItself(StackEndpoints endpoints) throws Exception {
        try (TcpProxy proxy = TcpProxy.to(endpoints.cassandraContactPoint())) {
            CassandraSettings settings = ServingFixture.settings(endpoints, proxy.address());
            try (var session = ServingFixture.settings(endpoints, endpoints.cassandraContactPoint()).connect()) {
                ViewSchema.create(session, settings.keyspace(), 1);
            }
            ServingConfig config = ServingFixture.config(settings, null);
            String metrics = "/v1/metrics/p-1?from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z&granularity=1h";

            // Down at start-up: the service starts anyway.
            try (CassandraViewSource source = CassandraViewSource.connect(config);
                    ServingServer server = ServingServer.start(config, source, Clock.systemUTC())) {
                String base = "http://127.0.0.1:" + server.port();
                assertUnavailable(base, metrics);
                assertThat(get(base, "/health/live").statusCode()).isEqualTo(200);

                proxy.restore();
                awaitStatus(base, "/health/ready", 200, Duration.ofSeconds(30));
                assertThat(get(base, metrics).statusCode()).isEqualTo(200);

                // Down while running: the driver's session stays and reconnects when it is back.
                proxy.cut();
                awaitStatus(base, metrics, 503, Duration.ofSeconds(30));
                assertUnavailable(base, metrics);

                proxy.restore();
                awaitStatus(base, metrics, 200, Duration.ofSeconds(90));
                assertThat(get(base, "/health/ready").statusCode()).isEqualTo(200);
                assertThat(server.meters().scrape())
                        .contains("lambda_serving_http_requests_seconds_count{method=\"GET\",route=\"/v1/metrics/{product_id}\",status=\"503\"}");
            }
        }
    }

    private void assertUnavailable(String base, String metrics) throws Exception {
        for (String path : new String[] {metrics, "/v1/status", "/health/ready"}) {
            HttpResponse<String> response = get(base, path);
            assertThat(response.statusCode()).as(path).isEqualTo(503);
            assertThat(response.headers().firstValue("Retry-After")).as(path).contains("3");
            assertThat(response.body()).doesNotContain("Exception").doesNotContain("127.0.0.1");
        }
        JsonNode body = ServingFixture.json(get(base, metrics));
        assertThat(body.get("error").asText()).isEqualTo("unavailable");
    }

    private void awaitStatus(String base, String path, int status, Duration timeout) {
        await(path + " answers " + status).atMost(timeout).pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> assertThat(get(base, path).statusCode()).as(path).isEqualTo(status));
    }

    private HttpResponse<String> get(String base, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
