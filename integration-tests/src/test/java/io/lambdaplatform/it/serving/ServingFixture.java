package io.lambdaplatform.it.serving;

import com.datastax.oss.driver.api.core.CqlSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lambdaplatform.model.EventWindow;
import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.model.IngestBuckets;
import io.lambdaplatform.model.Metrics;
import io.lambdaplatform.model.config.PlatformMode;
import io.lambdaplatform.serving.CassandraViewSource;
import io.lambdaplatform.serving.ServingConfig;
import io.lambdaplatform.serving.ServingServer;
import io.lambdaplatform.stack.StackEndpoints;
import io.lambdaplatform.viewstore.BatchVersion;
import io.lambdaplatform.viewstore.BatchViewWriter;
import io.lambdaplatform.viewstore.CassandraBatchViews;
import io.lambdaplatform.viewstore.CassandraSettings;
import io.lambdaplatform.viewstore.CassandraSpeedViews;
import io.lambdaplatform.viewstore.SpeedDelta;
import io.lambdaplatform.viewstore.SpeedProgress;
import io.lambdaplatform.viewstore.ViewRow;
import io.lambdaplatform.viewstore.ViewSchema;

import java.io.IOException;
import java.math.BigDecimal;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A serving layer on a free port over the shared stack's Cassandra, in a keyspace of its own (the
 * batch pointer is global per keyspace, and other tests publish versions), plus direct access to
 * the view store to write the rows the speed and batch layers would write.
 */
final class ServingFixture implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    final CassandraSettings settings;
    final CqlSession session;
    final CassandraBatchViews batch;
    final CassandraSpeedViews speed;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final CassandraViewSource source;
    private final ServingServer server;

    private ServingFixture(CassandraSettings settings, ServingConfig servingConfig) {
        this.settings = settings;
        this.session = settings.connect();
        ViewSchema.create(session, settings.keyspace(), 1);
        this.batch = new CassandraBatchViews(session, settings.keyspace());
        this.speed = new CassandraSpeedViews(session, settings.keyspace());
        this.source = CassandraViewSource.connect(servingConfig);
        this.server = ServingServer.start(servingConfig, source, Clock.systemUTC());
        awaitReady();
    }

    /** The session opens in the background; tests start once the service says it is ready. */
    private void awaitReady() {
        await("the serving layer ready").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(get("/health/ready").statusCode()).as("/health/ready").isEqualTo(200));
    }

    static ServingFixture start(StackEndpoints endpoints, String token) {
        CassandraSettings settings = settings(endpoints, endpoints.cassandraContactPoint());
        return new ServingFixture(settings, config(settings, token));
    }

    /** A serving layer (open API) in Kappa mode: it answers from the set of views the keyspace's pointer names. */
    static ServingFixture startKappa(StackEndpoints endpoints) {
        CassandraSettings settings = settings(endpoints, endpoints.cassandraContactPoint());
        return new ServingFixture(settings, config(settings, null, PlatformMode.KAPPA));
    }

    /** A serving layer (open API) on a keyspace the caller chose and may have prepared, e.g. as an earlier release left it. */
    static ServingFixture start(CassandraSettings settings) {
        return new ServingFixture(settings, config(settings, null));
    }

    /** A keyspace no other test uses, on the stack's Cassandra, reached at {@code contactPoint}. */
    static CassandraSettings settings(StackEndpoints endpoints, String contactPoint) {
        String keyspace = "serving_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10).toLowerCase(Locale.ROOT);
        return CassandraSettings.of(contactPoint, endpoints.cassandraDatacenter(), keyspace).withRequestTimeout(Duration.ofSeconds(5));
    }

    /**
     * The serving settings of these tests: the shared state (pointer, progress, holes) is read for every request
     * ({@code state-max-age} 0), so that an answer shows at once what the test has just written; the processes that
     * {@code LayerProcess} starts run with the default and wait for a new version ({@code ServingAnswers.awaitBatchVersion}).
     */
    static ServingConfig config(CassandraSettings settings, String token) {
        return config(settings, token, PlatformMode.LAMBDA);
    }

    private static ServingConfig config(CassandraSettings settings, String token, PlatformMode mode) {
        return new ServingConfig("127.0.0.1", 0, token, 10_000, Duration.ofSeconds(3), Duration.ofMillis(200), Duration.ofSeconds(2),
                true, 1, 100, Duration.ofSeconds(2), new ServingConfig.Reads(16L << 20, 4, 32, Duration.ZERO, 0, 16L << 20, IngestBuckets.DEFAULT), settings, mode);
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    /** Writes the rows of a batch run with this cutoff and publishes them. */
    BatchVersion publishBatch(EventHistory history, Instant cutoff) {
        BatchVersion version = batch.begin(cutoff, cutoff.plusSeconds(30));
        List<ViewRow> rows = history.batchRows(cutoff);
        try (BatchViewWriter writer = batch.writer(version.version())) {
            rows.forEach(writer::write);
        }
        return batch.publish(version.version(), rows.size(), history.countIngestedBefore(cutoff), cutoff.plusSeconds(60));
    }

    /** Writes the speed rows of every event and the progress of three partitions. */
    void runSpeedLayer(EventHistory history, Instant watermark, Instant coveredSince) {
        runSpeedLayer(history, watermark, coveredSince, ViewSchema.DEFAULT_SPEED_RETENTION);
    }

    /** As above, with the speed layer reporting {@code retention}: how far back its rows are certainly still there. */
    void runSpeedLayer(EventHistory history, Instant watermark, Instant coveredSince, Duration retention) {
        runSpeedLayer(history, watermark, coveredSince, retention, Instant.EPOCH);
    }

    /** As above, each partition's log beginning at {@code logBegins} ({@link Instant#EPOCH}: unknown). */
    void runSpeedLayer(EventHistory history, Instant watermark, Instant coveredSince, Duration retention, Instant logBegins) {
        List<CompletableFuture<Void>> writes = history.speedRows(IngestBuckets.DEFAULT).stream()
                .map(delta -> speed.upsert(delta).toCompletableFuture())
                .toList();
        writes.forEach(CompletableFuture::join);
        history.speedRows(IngestBuckets.DEFAULT).stream().map(SpeedDelta::key).map(key -> key.productId()).distinct()
                .forEach(product -> speed.recordProduct(product).toCompletableFuture().join());
        for (int partition = 0; partition < 3; partition++) {
            speed.saveProgress(new SpeedProgress(partition, watermark, coveredSince, retention, watermark, logBegins));
        }
    }

    HttpResponse<String> get(String path, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(30)).GET();
        if (headers.length > 0) {
            request.headers(headers);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
        catch (IOException e) {
            throw new UncheckedIOException("GET " + path + " failed", e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted during GET " + path, e);
        }
    }

    static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        }
        catch (IOException e) {
            throw new UncheckedIOException("Not JSON: " + response.body(), e);
        }
    }

    /** The windows of a /v1/metrics answer by window, each checked for its end and average. */
    static Map<EventWindow, Metrics> windows(JsonNode answer) {
        Granularity granularity = Granularity.parse(answer.get("granularity").asText());
        Map<EventWindow, Metrics> windows = new LinkedHashMap<>();
        for (JsonNode window : answer.get("windows")) {
            Instant start = Instant.parse(window.get("start").asText());
            assertThat(Instant.parse(window.get("end").asText())).isEqualTo(start.plus(granularity.width()));
            Metrics metrics = new Metrics(window.get("event_count").asLong(), new BigDecimal(window.get("revenue").asText()),
                    window.get("duration_sum_ms").asLong());
            assertThat(window.get("avg_duration_ms").decimalValue()).isEqualByComparingTo(metrics.averageDurationMs());
            windows.put(new EventWindow(granularity, start), metrics);
        }
        return windows;
    }

    /** The events of one source ({@code batch} or {@code speed}) over every window of a /v1/metrics answer. */
    static long sourceCount(JsonNode answer, String source) {
        long count = 0;
        for (JsonNode window : answer.get("windows")) {
            count += window.get("source").get(source).get("event_count").asLong();
        }
        return count;
    }

    @Override
    public void close() {
        server.close();
        source.close();
        session.close();
    }
}
