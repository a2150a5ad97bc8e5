package io.lambdaplatform.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lambdaplatform.model.IngestBuckets;
import io.lambdaplatform.model.RejectionReason;
import io.lambdaplatform.model.config.PlatformMode;
import io.lambdaplatform.viewstore.BatchBuild;
import io.lambdaplatform.viewstore.CassandraSettings;
import io.lambdaplatform.viewstore.DeadLetterCount;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The real Javalin server on a free port, over the in-memory fakes of the view store. */
class ServingServerTest {

    private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");
    private static final String TOKEN = "s3cret-token-for-tests";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<String> bodies = new ArrayList<>();
    private ServingServer server;
    private ViewScenario scenario;

    static ServingConfig config(String token) {
        return config(token, Duration.ofSeconds(1));
    }

    private static ServingConfig config(String token, Duration stateMaxAge) {
        return new ServingConfig("127.0.0.1", 0, token, 2016, Duration.ofSeconds(7), Duration.ofMillis(100), Duration.ofSeconds(1),
                true, 1, 100, Duration.ofSeconds(5), new ServingConfig.Reads(16L << 20, 4, 32, stateMaxAge, 1L << 20, 1L << 20, IngestBuckets.DEFAULT),
                CassandraSettings.of("127.0.0.1:1", "datacenter1", "lambda"), PlatformMode.LAMBDA);
    }

    private void start(String token) {
        scenario = new ViewScenario()
                .event("p-1", "2026-11-24T10:10:00Z", "2026-11-24T10:10:00Z", "10.00", 100)
                .event("p-1", "2026-11-24T10:40:00Z", "2026-11-24T10:40:00Z", "0.05", 201)
                .event("p-1", "2026-11-24T11:05:00Z", "2026-11-24T11:05:00Z", "-3.10", 50)
                .speedLayerRan()
                .batchRan("2026-11-24T10:30:00Z")
                .progress("2026-11-24T11:59:00Z", "2026-11-24T00:00:00Z", Duration.ofDays(7));
        scenario.speed.recordProduct("p-1");
        scenario.speed.saveDeadLetters(new DeadLetterCount(1, RejectionReason.values()[0], 5), 10);
        start(token, ViewSource.of(scenario.batch, scenario.speed));
    }

    private void start(String token, ViewSource source) {
        server = ServingServer.start(config(token), source, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        // No answer, error or not, ever carries a stack trace or an exception name.
        assertThat(bodies).allSatisfy(body -> assertThat(body)
                .doesNotContain("Exception")
                .doesNotContain("\tat ")
                .doesNotContain("at io.")
                .doesNotContain("at java."));
    }

    private HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).GET();
        if (headers.length > 0) {
            request.headers(headers);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        bodies.add(response.body());
        return response;
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        return JSON.readTree(response.body());
    }

    @Test
    void metricsAnswerCarriesTheMergedWindowsAndTheirCoverage() throws Exception {
        start(null);

        HttpResponse<String> response = get("/v1/metrics/p-1?from=2026-11-24T10:00:00Z&to=2026-11-24T12:00:00Z&granularity=1h");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = json(response);
        assertThat(body.get("product_id").asText()).isEqualTo("p-1");
        assertThat(body.get("granularity").asText()).isEqualTo("1h");
        assertThat(body.get("from").asText()).isEqualTo("2026-11-24T10:00:00Z");
        assertThat(body.get("to").asText()).isEqualTo("2026-11-24T12:00:00Z");
        JsonNode first = body.get("windows").get(0);
        assertThat(first.get("start").asText()).isEqualTo("2026-11-24T10:00:00Z");
        assertThat(first.get("end").asText()).isEqualTo("2026-11-24T11:00:00Z");
        assertThat(first.get("event_count").asLong()).isEqualTo(2);
        assertThat(first.get("revenue").isTextual()).isTrue();
        assertThat(first.get("revenue").asText()).isEqualTo("10.05");
        assertThat(first.get("avg_duration_ms").decimalValue()).isEqualByComparingTo("150.5");
        assertThat(first.get("source").get("batch").get("event_count").asLong()).isEqualTo(1);
        assertThat(first.get("source").get("speed").get("revenue").asText()).isEqualTo("0.05");
        JsonNode second = body.get("windows").get(1);
        assertThat(second.get("start").asText()).isEqualTo("2026-11-24T11:00:00Z");
        assertThat(second.get("revenue").asText()).isEqualTo("-3.10");
        assertThat(body.get("windows")).hasSize(2);
        assertThat(body.get("batch").get("version").asLong()).isEqualTo(1);
        assertThat(body.get("batch").get("cutoff").asText()).isEqualTo("2026-11-24T10:30:00Z");
        assertThat(body.get("batch").get("computed_at").asText()).isEqualTo("2026-11-24T10:31:00Z");
        assertThat(body.get("speed").get("watermark").asText()).isEqualTo("2026-11-24T11:59:00Z");
        assertThat(body.get("speed").get("lag_seconds").asLong()).isEqualTo(60);
        assertThat(body.get("complete").asBoolean()).isTrue();
        assertThat(body.get("incomplete")).isEmpty();
        assertThat(response.headers().firstValue("Cache-Control")).contains("no-store");
    }

    @Test
    void eachWindowEstimatesItsDistinctUsersAndDurationQuantilesAcrossBatchAndSpeed() throws Exception {
        start(null);
        // p-3's 10:00 window: alice and bob before the cutoff (batch), alice again and carol after it (speed)
        scenario.eventOfUser("p-3", "alice", "2026-11-24T10:01:00Z", "2026-11-24T10:01:00Z", 100)
                .eventOfUser("p-3", "bob", "2026-11-24T10:02:00Z", "2026-11-24T10:02:00Z", 200)
                .eventOfUser("p-3", "alice", "2026-11-24T10:03:00Z", "2026-11-24T10:35:00Z", 300)
                .eventOfUser("p-3", "carol", "2026-11-24T10:04:00Z", "2026-11-24T10:36:00Z", 400)
                .eventOfUser("p-3", null, "2026-11-24T10:05:00Z", "2026-11-24T10:37:00Z", 1000)
                .speedLayerRan()
                .batchRan("2026-11-24T10:30:00Z");

        JsonNode window = json(get("/v1/metrics/p-3?from=2026-11-24T10:00:00Z&to=2026-11-24T11:00:00Z&granularity=1h")).get("windows").get(0);

        assertThat(window.get("event_count").asLong()).isEqualTo(5);
        assertThat(window.get("source").get("batch").get("event_count").asLong()).isEqualTo(2);
        assertThat(window.get("unique_users").asLong()).isEqualTo(3);
        assertThat(window.get("duration_quantiles_ms").properties()).extracting(Map.Entry::getKey).containsExactly("p50", "p95", "p99");
        assertThat(window.get("duration_quantiles_ms").get("p50").asLong()).isEqualTo(300);
        assertThat(window.get("duration_quantiles_ms").get("p99").asLong()).isEqualTo(1000);

        JsonNode asked = json(get("/v1/metrics/p-3?from=2026-11-24T10:00:00Z&to=2026-11-24T11:00:00Z&granularity=1h&quantiles=0.2,0.999"))
                .get("windows").get(0).get("duration_quantiles_ms");
        assertThat(asked.properties()).extracting(Map.Entry::getKey).containsExactly("p20", "p99.9");
        assertThat(asked.get("p20").asLong()).isEqualTo(100);

        JsonNode top = json(get("/v1/top?from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z&by=unique_users&limit=1"));
        assertThat(top.get("by").asText()).isEqualTo("unique_users");
        assertThat(top.get("products").get(0).get("product_id").asText()).isEqualTo("p-3");
        assertThat(top.get("products").get(0).get("unique_users").asLong()).isEqualTo(3);
        JsonNode totals = json(get("/v1/totals?from=2026-11-24T10:00:00Z&to=2026-11-24T11:00:00Z&granularity=1h"));
        assertThat(totals.get("windows").get(0).get("unique_users").asLong()).as("p-1's events name no user").isEqualTo(3);
    }

    @Test
    void severalProductsAreAnsweredTogetherEachAsItsOwnAnswerWouldBe() throws Exception {
        start(null);
        scenario.event("p-2", "2026-11-24T10:20:00Z", "2026-11-24T11:20:00Z", "2.00", 10).speedLayerRan();
        String range = "from=2026-11-24T10:00:00Z&to=2026-11-24T12:00:00Z&granularity=1h";

        JsonNode both = json(get("/v1/metrics?product=p-2&product=p-1&product=nobody&product=p-2&" + range));

        assertThat(both.get("products").properties()).extracting(Map.Entry::getKey).containsExactly("p-2", "p-1", "nobody");
        assertThat(both.get("products").get("p-1").get("windows"))
                .isEqualTo(json(get("/v1/metrics/p-1?" + range)).get("windows"));
        assertThat(both.get("products").get("p-2").get("windows")).singleElement()
                .satisfies(window -> assertThat(window.get("event_count").asLong()).isEqualTo(1));
        assertThat(both.get("products").get("nobody").get("windows")).isEmpty();
        assertThat(both.get("granularity").asText()).isEqualTo("1h");
        assertThat(both.get("batch").get("version").asLong()).isEqualTo(1);
        assertThat(both.get("complete").asBoolean()).isTrue();

        StringBuilder tooMany = new StringBuilder("/v1/metrics?" + range);
        for (int i = 0; i <= ServingServer.MAX_PRODUCTS_PER_METRICS; i++) {
            tooMany.append("&product=p-").append(i);
        }
        HttpResponse<String> refused = get(tooMany.toString());
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(json(refused).get("parameter").asText()).isEqualTo("product");
        assertThat(json(get("/v1/metrics?" + range)).get("parameter").asText()).isEqualTo("product");
        assertThat(json(get("/v1/metrics?product=bad%20id&" + range)).get("parameter").asText()).isEqualTo("product");
    }

    @Test
    void aQuestionAskedAgainOfTheSameStateGetsTheSameAnswerUntilAStatusReadMovesTheStateOn() throws Exception {
        scenario = new ViewScenario()
                .event("p-1", "2026-11-24T11:05:00Z", "2026-11-24T11:05:00Z", "-3.10", 50)
                .speedLayerRan()
                .progress("2026-11-24T11:59:00Z", "2026-11-24T00:00:00Z", Duration.ofDays(7));
        // A state read serves requests for an hour here, so that the machine's speed cannot make this test read another.
        server = ServingServer.start(config(null, Duration.ofHours(1)), ViewSource.of(scenario.batch, scenario.speed), Clock.fixed(NOW, ZoneOffset.UTC));
        String path = "/v1/metrics/p-1?from=2026-11-24T11:00:00Z&to=2026-11-24T12:00:00Z&granularity=1h";
        String first = get(path).body();
        assertThat(json(get(path + "&quantiles=0.5")).get("windows").get(0).get("event_count").asLong()).isEqualTo(1);

        scenario.event("p-1", "2026-11-24T11:10:00Z", "2026-11-24T11:10:00Z", "1.00", 10).speedLayerRan();
        assertThat(get(path).body()).as("shared: computed once for this state").isEqualTo(first);
        assertThat(json(get(path.replace("granularity=1h", "granularity=5m"))).get("windows")).as("another question reads the rows").hasSize(2);

        assertThat(get("/v1/status").statusCode()).isEqualTo(200);
        assertThat(json(get(path)).get("windows").get(0).get("event_count").asLong()).as("after /v1/status read the state afresh").isEqualTo(2);
        assertThat(server.meters().get("cache.gets").tag("cache", "answers").tag("result", "hit").functionCounter().count()).isEqualTo(1);
    }

    @Test
    void unalignedRangeIsEchoedAligned() throws Exception {
        start(null);

        JsonNode body = json(get("/v1/metrics/p-1?from=2026-11-24T10:59:59Z&to=2026-11-24T11:00:01Z&granularity=1h"));

        assertThat(body.get("from").asText()).isEqualTo("2026-11-24T10:00:00Z");
        assertThat(body.get("to").asText()).isEqualTo("2026-11-24T12:00:00Z");
        assertThat(body.get("windows")).hasSize(2);
    }

    @Test
    void unknownProductAnswersAnEmptyList() throws Exception {
        start(null);

        JsonNode body = json(get("/v1/metrics/nobody?from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z&granularity=5m"));

        assertThat(body.get("windows")).isEmpty();
        assertThat(body.get("product_id").asText()).isEqualTo("nobody");
    }

    @Test
    void everyValidationErrorIs400NamingTheParameter() throws Exception {
        start(null);
        String ok = "from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z&granularity=1h";
        Map<String, String> cases = Map.ofEntries(
                Map.entry("/v1/metrics/p-1?from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z&granularity=7m", "granularity"),
                Map.entry("/v1/metrics/p-1?from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z", "granularity"),
                Map.entry("/v1/metrics/p-1?" + ok + "&quantiles=1.5", "quantiles"),
                Map.entry("/v1/metrics/p-1?" + ok + "&quantiles=0.5,,0.9", "quantiles"),
                Map.entry("/v1/totals?" + ok + "&quantiles=p99", "quantiles"),
                Map.entry("/v1/metrics/p-1?from=2026-11-25T00:00:00Z&to=2026-11-24T00:00:00Z&granularity=1h", "to"),
                Map.entry("/v1/metrics/p-1?from=2026-11-24T00:00:00Z&to=2026-11-24T00:00:00Z&granularity=1h", "to"),
                Map.entry("/v1/metrics/p-1?from=last-tuesday&to=2026-11-25T00:00:00Z&granularity=1h", "from"),
                Map.entry("/v1/metrics/p-1?from=2026-11-24T00:00:00Z&to=1732406400000&granularity=1h", "to"),
                Map.entry("/v1/metrics/p-1?to=2026-11-25T00:00:00Z&granularity=1h", "from"),
                Map.entry("/v1/metrics/p-1?from=2026-01-01T00:00:00Z&to=2026-11-25T00:00:00Z&granularity=5m", "to"),
                Map.entry("/v1/metrics/p%20x?" + ok, "product_id"),
                Map.entry("/v1/metrics/p%24x?" + ok, "product_id"),
                Map.entry("/v1/metrics/" + "x".repeat(129) + "?" + ok, "product_id"),
                Map.entry("/v1/products?prefix=a%20b", "prefix"),
                Map.entry("/v1/products?limit=0", "limit"),
                Map.entry("/v1/products?limit=many", "limit"),
                Map.entry("/v1/products?limit=101", "limit"),
                Map.entry("/v1/totals?from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z", "granularity"),
                Map.entry("/v1/totals?from=yesterday&to=2026-11-25T00:00:00Z&granularity=1h", "from"),
                Map.entry("/v1/totals?from=2026-01-01T00:00:00Z&to=2026-11-25T00:00:00Z&granularity=5m", "to"),
                Map.entry("/v1/top?to=2026-11-25T00:00:00Z", "from"),
                Map.entry("/v1/top?" + ok + "&by=clicks", "by"),
                Map.entry("/v1/top?" + ok + "&limit=0", "limit"),
                Map.entry("/v1/top?" + ok + "&limit=101", "limit"));

        for (Map.Entry<String, String> entry : cases.entrySet()) {
            HttpResponse<String> response = get(entry.getKey());
            assertThat(response.statusCode()).as(entry.getKey()).isEqualTo(400);
            JsonNode body = json(response);
            assertThat(body.get("error").asText()).as(entry.getKey()).isEqualTo("invalid_parameter");
            assertThat(body.get("parameter").asText()).as(entry.getKey()).isEqualTo(entry.getValue());
            assertThat(body.get("message").asText()).as(entry.getKey()).isNotBlank();
        }
        assertThat(json(get("/v1/metrics/p-1?from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z&granularity=7m"))
                .get("message").asText()).isEqualTo("unknown granularity '7m': expected one of 5m, 1h, 1d");
        assertThat(server.meters().scrape()).contains("lambda_serving_http_rejected_total{parameter=\"granularity\"} 4.0");
    }

    @Test
    void totalsAddUpEveryProductsMergedWindowsAndTopRanksThem() throws Exception {
        start(null);
        scenario.event("p-2", "2026-11-24T10:20:00Z", "2026-11-24T11:20:00Z", "2.00", 10)
                .event("p-2", "2026-11-24T11:20:00Z", "2026-11-24T11:20:00Z", "2.00", 10)
                .event("p-2", "2026-11-24T11:25:00Z", "2026-11-24T11:25:00Z", "2.00", 10)
                .event("p-2", "2026-11-24T11:30:00Z", "2026-11-24T11:30:00Z", "2.00", 10);
        // the p-2 events are ingested after the cutoff: the speed layer holds them (p-1's rows are written again, unchanged)
        scenario.speedLayerRan();

        JsonNode totals = json(get("/v1/totals?from=2026-11-24T10:00:00Z&to=2026-11-24T11:30:00Z&granularity=1h"));

        assertThat(totals.get("to").asText()).isEqualTo("2026-11-24T12:00:00Z");
        assertThat(totals.get("products").asInt()).isEqualTo(2);
        assertThat(totals.get("windows")).extracting(window -> window.get("start").asText(), window -> window.get("event_count").asLong(),
                        window -> window.get("revenue").asText(), window -> window.get("source").get("speed").get("event_count").asLong())
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("2026-11-24T10:00:00Z", 3L, "12.05", 2L),
                        org.assertj.core.groups.Tuple.tuple("2026-11-24T11:00:00Z", 4L, "2.90", 4L));
        assertThat(totals.get("batch").get("version").asLong()).isEqualTo(1);
        assertThat(totals.get("complete").asBoolean()).isTrue();

        JsonNode top = json(get("/v1/top?from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z&limit=1"));
        assertThat(top.get("granularity").asText()).isEqualTo("1h");
        assertThat(top.get("by").asText()).isEqualTo("events");
        assertThat(top.get("product_count").asInt()).isEqualTo(2);
        assertThat(top.get("top")).as("the list under its earlier name").isEqualTo(top.get("products"));
        assertThat(top.get("products")).singleElement().satisfies(product -> {
            assertThat(product.get("product_id").asText()).isEqualTo("p-2");
            assertThat(product.get("event_count").asLong()).isEqualTo(4);
            assertThat(product.get("revenue").asText()).isEqualTo("8.00");
            assertThat(product.get("avg_duration_ms").decimalValue()).isEqualByComparingTo("10");
        });
        JsonNode byRevenue = json(get("/v1/top?from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z&by=revenue"));
        assertThat(byRevenue.get("products")).extracting(product -> product.get("product_id").asText()).containsExactly("p-2", "p-1");
        assertThat(byRevenue.get("products").get(1).get("revenue").asText()).isEqualTo("6.95");
    }

    @Test
    void unknownRoutesAre404Json() throws Exception {
        start(null);

        for (String path : List.of("/nope", "/v1/nope", "/v1/metric", "/v1/metrics/p-1/extra", "/webjars/nothing.js")) {
            HttpResponse<String> response = get(path);
            assertThat(response.statusCode()).as(path).isEqualTo(404);
            JsonNode body = json(response);
            assertThat(body.get("error").asText()).isEqualTo("not_found");
            assertThat(body.get("message").asText()).startsWith("no such resource: GET ");
        }
    }

    @Test
    void malformedRequestsAreAnsweredWithoutStackTraces() throws Exception {
        start(null);

        for (String raw : List.of("GET /v1/metrics/%zz?from=x HTTP/1.1", "GET /v1/metrics/p-1?from=%zz HTTP/1.1", "GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1")) {
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
                socket.getOutputStream().write((raw + "\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                String response = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                bodies.add(response);
                assertThat(response).as(raw).startsWith("HTTP/1.1 400").contains("Content-Type: application/json")
                        .containsPattern("\\{\"error\":\"(bad_request|invalid_parameter)\"");
            }
        }
    }

    @Test
    void unavailableStoreIs503WithRetryAfterAndRecovers() throws Exception {
        start(null);
        String metrics = "/v1/metrics/p-1?from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z&granularity=1h";
        scenario.speed.setUnavailable(true);

        for (String path : List.of(metrics, "/v1/status", "/v1/products", "/health/ready")) {
            HttpResponse<String> response = get(path);
            assertThat(response.statusCode()).as(path).isEqualTo(503);
            assertThat(response.headers().firstValue("Retry-After")).as(path).contains("7");
        }
        assertThat(json(get(metrics)).get("error").asText()).isEqualTo("unavailable");
        assertThat(get("/health/ready").body()).isEqualTo("{\"status\":\"DOWN\",\"cassandra\":\"DOWN\"}");
        assertThat(get("/health/live").statusCode()).isEqualTo(200);
        assertThat(get("/health/live").body()).isEqualTo("{\"status\":\"UP\"}");

        scenario.speed.setUnavailable(false);

        assertThat(get(metrics).statusCode()).isEqualTo(200);
        assertThat(json(get("/health/ready")).get("status").asText()).isEqualTo("UP");
    }

    @Test
    void aSourceWithoutSessionIs503AndNotReady() throws Exception {
        start(null, new ViewSource() {
            @Override
            public Views views() {
                throw new io.lambdaplatform.viewstore.ViewStoreUnavailableException("No Cassandra session: refused", null);
            }

            @Override
            public void close() {}
        });

        assertThat(get("/health/ready").statusCode()).isEqualTo(503);
        HttpResponse<String> response = get("/v1/status");
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.body()).doesNotContain("refused");
    }

    @Test
    void unexpectedFailuresAre500WithoutDetails() throws Exception {
        start(null, new ViewSource() {
            @Override
            public Views views() {
                throw new IllegalStateException("secret internal detail");
            }

            @Override
            public void close() {}
        });

        HttpResponse<String> response = get("/v1/status");

        assertThat(response.statusCode()).isEqualTo(500);
        JsonNode body = json(response);
        assertThat(body.get("error").asText()).isEqualTo("internal");
        assertThat(body.get("message").asText()).startsWith("internal error; the server log has the details under reference ");
        assertThat(response.body()).doesNotContain("secret");
    }

    @Test
    void errorsThatAreNotExceptionsAre500WithoutDetailsToo() throws Exception {
        start(null, new ViewSource() {
            @Override
            public Views views() {
                throw new NoSuchMethodError("secret internal detail");
            }

            @Override
            public void close() {}
        });

        HttpResponse<String> response = get("/v1/status");

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(json(response).get("error").asText()).isEqualTo("internal");
        assertThat(response.body()).doesNotContain("secret").doesNotContain("NoSuchMethod");
    }

    @Test
    void tokenProtectsTheApiButNotHealthOrTheDashboard() throws Exception {
        start(TOKEN);
        String metrics = "/v1/metrics/p-1?from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z&granularity=1h";

        HttpResponse<String> missing = get(metrics);
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(missing.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"lambda\"");
        assertThat(json(missing).get("error").asText()).isEqualTo("unauthorized");
        assertThat(get(metrics, "Authorization", "Bearer wrong").statusCode()).isEqualTo(401);
        assertThat(get(metrics, "Authorization", "Basic " + TOKEN).statusCode()).isEqualTo(401);
        assertThat(get("/v1/status").statusCode()).isEqualTo(401);
        assertThat(get("/v1/no-such-route").statusCode()).isEqualTo(401);

        assertThat(get(metrics, "Authorization", "Bearer " + TOKEN).statusCode()).isEqualTo(200);
        assertThat(get("/v1/products", "Authorization", "bearer " + TOKEN).statusCode()).isEqualTo(200);
        assertThat(get("/health/live").statusCode()).isEqualTo(200);
        assertThat(get("/").statusCode()).isEqualTo(200);
        assertThat(json(get("/dashboard/settings")).get("auth_required").asBoolean()).isTrue();
        assertThat(bodies).noneMatch(body -> body.contains(TOKEN));
    }

    @Test
    void statusReportsBatchSpeedAndDeadLetters() throws Exception {
        start(null);

        JsonNode body = json(get("/v1/status"));

        assertThat(body.get("now").asText()).isEqualTo("2026-11-24T12:00:00Z");
        assertThat(body.get("batch").get("version").asLong()).isEqualTo(1);
        assertThat(body.get("batch").get("age_seconds").asLong()).isEqualTo(5400);
        assertThat(body.get("batch").get("event_count").asLong()).isEqualTo(1);
        assertThat(body.get("batch").get("build").isNull()).as("version 1 recorded no build").isTrue();
        assertThat(body.get("speed").get("watermark").asText()).isEqualTo("2026-11-24T11:59:00Z");
        assertThat(body.get("speed").get("partitions")).hasSize(3);
        assertThat(body.get("speed").get("partitions").get(2).get("lag_seconds").asLong()).isEqualTo(60);
        assertThat(body.get("dead_letters").get("total").asLong()).isEqualTo(5);
        assertThat(body.get("dead_letters").get("by_partition").get("1").asLong()).isEqualTo(5);
        assertThat(body.get("complete").asBoolean()).isTrue();
    }

    @Test
    void statusSaysHowTheBatchVersionWasComputed() throws Exception {
        start(null);
        scenario.batchRan("2026-11-24T11:00:00Z");
        scenario.batch.recordBuild(new BatchBuild(2, BatchBuild.Kind.INCREMENTAL, 1, 1, "views", "basis", Instant.parse("2026-11-24T10:31:00Z")));

        JsonNode batch = json(get("/v1/status")).get("batch");

        assertThat(batch.get("version").asLong()).isEqualTo(2);
        assertThat(batch.get("build").toString()).isEqualTo("{\"kind\":\"incremental\",\"base_version\":1,"
                + "\"logic_version\":\"r1-74883614\",\"rules_version\":1,\"view_definition\":\"views\"}");
    }

    @Test
    void productsSuggestsByPrefix() throws Exception {
        start(null);

        JsonNode body = json(get("/v1/products?prefix=p-"));

        assertThat(body.get("products").toString()).isEqualTo("[\"p-1\"]");
        assertThat(json(get("/v1/products?prefix=zzz")).get("products")).isEmpty();
    }

    @Test
    void prometheusMetricsHaveRequestLatencyByRouteAndStatusStoreLatencyAndMergeSizes() throws Exception {
        start(null);
        get("/v1/metrics/p-1?from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z&granularity=1h");
        get("/v1/metrics/p-1?from=x&to=2026-11-25T00:00:00Z&granularity=1h");

        HttpResponse<String> response = get("/metrics");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body())
                .contains("lambda_serving_http_requests_seconds_bucket{method=\"GET\",route=\"/v1/metrics/{product_id}\",status=\"200\"")
                .contains("lambda_serving_http_requests_seconds_count{method=\"GET\",route=\"/v1/metrics/{product_id}\",status=\"400\"} 1")
                .contains("lambda_serving_store_reads_seconds_count{outcome=\"ok\",read=\"batch-rows\"} 1")
                .contains("lambda_serving_merge_size_rows_sum{part=\"windows\"} 2.0")
                .doesNotContain("route=\"/v1/metrics/p-1\"");
    }

    @Test
    void dashboardAndItsChartLibraryAreServedFromTheJar() throws Exception {
        start(null);

        HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));
        assertThat(page.body()).contains("<canvas id=\"count-chart\">").contains("/webjars/chart.js/4.4.1/dist/chart.umd.js")
                .doesNotContain("https://");
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp -> assertThat(csp).contains("script-src 'self'"));
        HttpResponse<String> chartJs = get("/webjars/chart.js/4.4.1/dist/chart.umd.js");
        assertThat(chartJs.statusCode()).isEqualTo(200);
        assertThat(chartJs.body()).contains("Chart.js v4.4.1");
        assertThat(get("/dashboard.js").statusCode()).isEqualTo(200);
    }

    /** The OpenAPI document matches the server: every path answers with a status it documents, with the documented fields. */
    @Test
    void openApiDocumentDescribesWhatTheServerDoes() throws Exception {
        start(null);
        JsonNode document = json(get("/openapi.json"));
        Map<String, String> samples = Map.of(
                "/v1/metrics/{product_id}", "/v1/metrics/p-1?from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z&granularity=1h",
                "/v1/metrics", "/v1/metrics?product=p-1&product=p-2&from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z&granularity=1h",
                "/v1/products", "/v1/products?prefix=p",
                "/v1/totals", "/v1/totals?from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z&granularity=1h",
                "/v1/top", "/v1/top?from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z");

        Iterator<Map.Entry<String, JsonNode>> paths = document.get("paths").fields();
        int checked = 0;
        while (paths.hasNext()) {
            Map.Entry<String, JsonNode> path = paths.next();
            HttpResponse<String> response = get(samples.getOrDefault(path.getKey(), path.getKey()));
            JsonNode responses = path.getValue().get("get").get("responses");
            assertThat(responses.has(Integer.toString(response.statusCode()))).as(path.getKey()).isTrue();
            assertThat(response.statusCode()).as(path.getKey()).isEqualTo(200);
            JsonNode schema = resolve(document, responses.get("200").get("content").fields().next().getValue().get("schema"));
            if (schema.has("required")) {
                JsonNode body = JSON.readTree(response.body());
                for (JsonNode field : schema.get("required")) {
                    assertThat(body.has(field.asText())).as(path.getKey() + " has " + field).isTrue();
                }
            }
            checked++;
        }
        assertThat(checked).isEqualTo(12);
        // a window answers every documented field
        JsonNode window = JSON.readTree(get(samples.get("/v1/metrics/{product_id}")).body()).get("windows").get(0);
        for (JsonNode field : document.get("components").get("schemas").get("Window").get("required")) {
            assertThat(window.has(field.asText())).as("a window has " + field).isTrue();
        }

        // every documented error shape: 400, 404, 503
        JsonNode errorSchema = document.get("components").get("schemas").get("Error");
        List<HttpResponse<String>> errors = new ArrayList<>(List.of(get("/v1/metrics/p-1?granularity=1h"), get("/missing")));
        scenario.speed.setUnavailable(true);
        errors.add(get("/v1/status"));
        for (HttpResponse<String> error : errors) {
            JsonNode body = json(error);
            for (JsonNode field : errorSchema.get("required")) {
                assertThat(body.has(field.asText())).isTrue();
            }
            assertThat(errorSchema.get("properties").get("error").get("enum").toString()).contains("\"" + body.get("error").asText() + "\"");
        }
    }

    private static JsonNode resolve(JsonNode document, JsonNode schema) {
        if (!schema.has("$ref")) {
            return schema;
        }
        JsonNode node = document;
        for (String part : schema.get("$ref").asText().substring(2).split("/")) {
            node = node.get(part);
        }
        return node;
    }
}
