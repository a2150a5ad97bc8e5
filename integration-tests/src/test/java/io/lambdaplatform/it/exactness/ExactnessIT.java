package io.lambdaplatform.it.exactness;

import com.datastax.oss.driver.api.core.CqlSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lambdaplatform.generator.EventGenerator;
import io.lambdaplatform.generator.GeneratedRecord;
import io.lambdaplatform.generator.GeneratorSettings;
import io.lambdaplatform.it.layers.LayerProcess;
import io.lambdaplatform.it.stack.RealStack;
import io.lambdaplatform.it.stack.StackDirectory;
import io.lambdaplatform.it.stack.TestStack;
import io.lambdaplatform.model.Event;
import io.lambdaplatform.model.EventCodec;
import io.lambdaplatform.model.config.PlatformConfig;
import io.lambdaplatform.viewstore.CassandraBatchViews;
import io.lambdaplatform.viewstore.CassandraSettings;
import io.lambdaplatform.viewstore.ViewSchema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The platform's main promise, end to end: the speed, batch and serving layers as separate processes started
 * through {@code ./lambda} against the shared real stack, events from the generator (late, out-of-order, duplicate
 * and invalid ones), and at every step every window of every product at 5m, 1h and 1d compared with the truth the
 * test computes from what it sent ({@link Truth}). The seven steps: speed only; a batch run; more events
 * late and duplicate over the batch; {@code kill -9} of the speed layer mid-stream; a batch run killed before it
 * publishes, and its rerun; a second run and a rollback; a Kafka broker restart mid-stream.
 *
 * <p>Its own topic, dead-letter topic, keyspace, master-dataset path and Kafka Streams application id, so the
 * other tests on the shared stack neither see nor disturb it.
 */
// Among the longest classes, so it starts early when classes run in parallel (integration-tests/pom.xml).
@Order(2)
@RealStack
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExactnessIT {

    private static final int PARTITIONS = 3;
    private static final int PRODUCTS = 8;
    private static final Duration CATCH_UP_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration BATCH_TIMEOUT = Duration.ofMinutes(6);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String run = Long.toString(System.currentTimeMillis(), 36);
    private final String topic = "it-exact-events-" + run;
    private final String deadLetterTopic = "it-exact-dlq-" + run;
    private final String keyspace = "it_exact_" + run;
    private final Truth truth = new Truth();
    /** The first failed acknowledgement of {@link #sendEvent}, checked after the next flush. */
    private final AtomicReference<Exception> singleSendFailure = new AtomicReference<>();
    private final List<String> table = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Instant suiteStart = Instant.now();

    private TestStack stack;
    private Path stackDir;
    private Path workDir;
    private Map<String, String> environment;
    private KafkaProducer<byte[], byte[]> producer;
    private CqlSession session;
    private CassandraBatchViews batchViews;
    private LayerProcess speed;
    private LayerProcess serving;
    private String servingUrl;
    private int batchRuns;

    @BeforeAll
    void startLayers(TestStack testStack) throws Exception {
        stack = testStack;
        stackDir = StackDirectory.of(stack.endpoints());
        workDir = Files.createDirectories(Path.of("target", "it-exactness", run)).toAbsolutePath();
        String bootstrap = stack.endpoints().kafkaBootstrap();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(
                    new NewTopic(topic, PARTITIONS, (short) 1).configs(Map.of("message.timestamp.type", "LogAppendTime")),
                    new NewTopic(deadLetterTopic, PARTITIONS, (short) 1))).all().get();
        }
        session = CassandraSettings.from(PlatformConfig.load(null, stackDir)).connect();
        ViewSchema.create(session, keyspace, 1);
        batchViews = new CassandraBatchViews(session, keyspace);
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                // A broker restart must delay sends, never fail them: the truth holds only acknowledged records.
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 300_000), new ByteArraySerializer(), new ByteArraySerializer());

        environment = new HashMap<>();
        environment.put("LAMBDA_KAFKA_EVENTS__TOPIC", topic);
        environment.put("LAMBDA_KAFKA_DEAD__LETTER__TOPIC", deadLetterTopic);
        environment.put("LAMBDA_CASSANDRA_KEYSPACE", keyspace);
        // Short ingest buckets and safety margin, so a batch cutoff lands close behind the events just sent.
        environment.put("LAMBDA_INGEST_BUCKET__WIDTH", "10s");
        environment.put("LAMBDA_BATCH_SAFETY__MARGIN", "5s");
        environment.put("LAMBDA_BATCH_MASTER__PATH", "s3a://" + stack.endpoints().s3Bucket() + "/it-exactness-" + run + "/master");
        environment.put("LAMBDA_SPEED_APPLICATION__ID", "it-exact-" + run);
        environment.put("LAMBDA_SPEED_STATE__DIR", workDir.resolve("speed-state").toString());
        environment.put("LAMBDA_BATCH_HEAP", "1500m");
        environment.put("LAMBDA_BATCH_LEASE__TTL", "10s");

        speed = startSpeed();
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        servingUrl = "http://127.0.0.1:" + port;
        serving = LayerProcess.serving(stackDir, port, environment, workDir.resolve("serving.log"));
        awaitServingReady();
    }

    @AfterAll
    void stopLayers() throws Exception {
        printTable();
        for (LayerProcess process : new LayerProcess[] {serving, speed}) {
            if (process != null) {
                process.close();
            }
        }
        if (producer != null) {
            producer.close();
        }
        if (session != null) {
            session.close();
        }
    }

    @Test
    @Order(1)
    void speedLayerAloneIsExactUnderLateDuplicateAndInvalidEvents() throws Exception {
        send(generator(1, 1_500), 0);
        awaitSpeedCaughtUp();
        Optional<JsonNode> batch = assertExact("1 speed layer only");
        assertThat(batch).as("no batch run yet").isEmpty();
    }

    @Test
    @Order(2)
    void aBatchRunIsExactAndTheAnswerShowsItsVersionAndCutoff() throws Exception {
        Instant before = Instant.now();
        runBatch("first run");
        JsonNode batch = assertExact("2 after batch run 1").orElseThrow();
        assertThat(batch.get("version").asLong()).isEqualTo(1);
        Instant cutoff = Instant.parse(batch.get("cutoff").asText());
        assertThat(cutoff).isBefore(before.plusSeconds(1)).isAfter(suiteStart.minus(Duration.ofMinutes(1)));
        assertThat(cutoff.toEpochMilli() % 10_000).as("cutoff at an ingest bucket start").isZero();
    }

    @Test
    @Order(3)
    void lateEventsForBatchCoveredWindowsAndDuplicatesOfBatchedEventsStayExact() throws Exception {
        List<Truth.SentEvent> batched = truth.events();
        // Duplicates of events the batch already holds, and new late events in exactly their windows.
        for (int i = 0; i < 60; i++) {
            Truth.SentEvent original = batched.get(i * 17 % batched.size());
            sendEvent(new Event(original.eventId(), original.productId(), null, original.revenue(), original.durationMs(), original.eventTime()));
            sendEvent(new Event("late-" + run + "-" + i, original.productId(), null, new BigDecimal("3.21"), 7, original.eventTime().plusMillis(1)));
        }
        send(generator(3, 800), 0);
        awaitSpeedCaughtUp();
        JsonNode batch = assertExact("3 late + duplicates over batch").orElseThrow();
        assertThat(batch.get("version").asLong()).isEqualTo(1);
    }

    @Test
    @Order(4)
    void killMinus9OfTheSpeedLayerMidStreamThenARestartIsExact() throws Exception {
        BackgroundSend stream = new BackgroundSend(generator(4, 3_000), 300);
        Thread.sleep(3_000);
        assertThat(stream.isSending()).as("events still arriving").isTrue();
        long killed = speed.pid();
        speed.kill();
        speed = startSpeed();
        assertThat(speed.pid()).isNotEqualTo(killed);
        stream.await(Duration.ofMinutes(3));
        awaitSpeedCaughtUp();
        assertExact("4 kill -9 speed, restart");
    }

    @Test
    @Order(5)
    void aBatchRunKilledBeforeItPublishesShowsNothingAndItsRerunIsExact() throws Exception {
        long published = batchViews.current().orElseThrow().version();
        Map<String, String> pausing = new HashMap<>(environment);
        pausing.put("LAMBDA_BATCH_PAUSE__BEFORE__PUBLISH", "10m");
        LayerProcess doomed = LayerProcess.batch(stackDir, pausing, workDir.resolve("batch-killed.log"));
        await("an unpublished version appears").atMost(BATCH_TIMEOUT).pollInterval(Duration.ofMillis(500))
                .failFast("the batch run exited; log " + doomed.log(), () -> !doomed.isAlive())
                .until(() -> batchViews.versions().stream().anyMatch(version -> version.version() > published && !version.isPublished()));
        Thread.sleep(2_000);
        doomed.kill();
        assertThat(batchViews.current().orElseThrow().version()).isEqualTo(published);
        JsonNode served = assertExact("5a batch killed before publish").orElseThrow();
        assertThat(served.get("version").asLong()).isEqualTo(published);

        // The killed run's batch lease lives until its time-to-live (10 s) ends.
        io.lambdaplatform.it.batch.LeaseRow.awaitFree(session, keyspace, Duration.ofMinutes(1));
        runBatch("rerun");
        JsonNode rerun = assertExact("5b rerun").orElseThrow();
        assertThat(rerun.get("version").asLong()).isGreaterThan(published);
    }

    @Test
    @Order(6)
    void aSecondFullRunAndARollbackStayExact() throws Exception {
        send(generator(6, 400), 0);
        awaitSpeedCaughtUp();
        long before = batchViews.current().orElseThrow().version();
        runBatch("second full run");
        JsonNode after = assertExact("6a another batch run").orElseThrow();
        assertThat(after.get("version").asLong()).isGreaterThan(before);

        LayerProcess rollback = LayerProcess.batch(stackDir, environment, workDir.resolve("batch-rollback.log"), "rollback");
        assertThat(rollback.awaitExit(Duration.ofMinutes(2))).as("rollback exit code; log:\n%s", rollback.logTail()).isZero();
        JsonNode rolledBack = assertExact("6b rollback").orElseThrow();
        assertThat(rolledBack.get("version").asLong()).isEqualTo(before);
    }

    @Test
    @Order(7)
    void aKafkaBrokerRestartMidStreamIsExactOnceTheSpeedLayerResumes() throws Exception {
        BackgroundSend stream = new BackgroundSend(generator(7, 2_000), 250);
        Thread.sleep(2_000);
        assertThat(stream.isSending()).as("events still arriving").isTrue();
        stack.restart("kafka");
        stream.await(Duration.ofMinutes(4));
        awaitSpeedCaughtUp();
        assertThat(speed.isAlive()).as("speed layer survived the broker restart; log:\n%s", speed.logTail()).isTrue();
        assertExact("7 kafka restart mid-stream");
    }

    private LayerProcess startSpeed() {
        return LayerProcess.speed(stackDir, environment, workDir.resolve("speed.log"));
    }

    private EventGenerator generator(long seed, int count) {
        GeneratorSettings settings = new GeneratorSettings(count, PRODUCTS, seed * 7919 + run.hashCode(), 0.15, 0.05, 0.03, Duration.ofDays(2));
        return new EventGenerator(settings, InstantSource.system());
    }

    /** Sends every record, at most {@code ratePerSecond} (0: as fast as possible); the truth learns each as it is acknowledged. */
    private void send(EventGenerator records, int ratePerSecond) throws InterruptedException {
        AtomicReference<Exception> failure = new AtomicReference<>();
        AtomicLong sent = new AtomicLong();
        long startNanos = System.nanoTime();
        while (records.hasNext()) {
            GeneratedRecord record = records.next();
            producer.send(new ProducerRecord<>(topic, record.key(), record.value()), (metadata, exception) -> {
                if (exception != null) {
                    failure.compareAndSet(null, exception);
                }
                else if (record.kind() == GeneratedRecord.Kind.INVALID) {
                    truth.invalid(record.expectedReason().code());
                }
                else {
                    Event event = record.event();
                    truth.valid(new Truth.SentEvent(event.productId(), event.eventId(), event.revenue(), event.durationMs(), event.eventTime()));
                }
            });
            long count = sent.incrementAndGet();
            if (ratePerSecond > 0) {
                long dueNanos = startNanos + count * 1_000_000_000L / ratePerSecond;
                long waitNanos = dueNanos - System.nanoTime();
                if (waitNanos > 0) {
                    Thread.sleep(waitNanos / 1_000_000, (int) (waitNanos % 1_000_000));
                }
            }
        }
        producer.flush();
        assertThat(failure.get()).as("every send acknowledged").isNull();
        assertThat(singleSendFailure.get()).as("every single event sent before acknowledged").isNull();
    }

    /**
     * Sends one event; its acknowledgement is checked by the next {@link #send}, after its flush: the
     * callback runs on the producer's I/O thread, where a failed assertion would never reach JUnit.
     */
    private void sendEvent(Event event) {
        producer.send(new ProducerRecord<>(topic, event.productId().getBytes(java.nio.charset.StandardCharsets.UTF_8), EventCodec.encode(event)),
                (metadata, exception) -> {
                    if (exception != null) {
                        singleSendFailure.compareAndSet(null, exception);
                    }
                    else {
                        truth.valid(new Truth.SentEvent(event.productId(), event.eventId(), event.revenue(), event.durationMs(), event.eventTime()));
                    }
                });
    }

    /** Records sent from a thread of their own while the test kills or restarts something. */
    private final class BackgroundSend {
        private final Thread thread;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        BackgroundSend(EventGenerator records, int ratePerSecond) {
            thread = new Thread(() -> {
                try {
                    send(records, ratePerSecond);
                }
                catch (Throwable e) {
                    failure.set(e);
                }
            }, "it-exactness-stream");
            thread.start();
        }

        boolean isSending() {
            return thread.isAlive();
        }

        /** Waits until every record is acknowledged; fails when the thread failed or outlasts the timeout. */
        void await(Duration timeout) throws InterruptedException {
            thread.join(timeout.toMillis());
            assertThat(thread.isAlive()).as("all records sent within %s", timeout).isFalse();
            if (failure.get() != null) {
                throw new AssertionError("Sending failed", failure.get());
            }
        }
    }

    private void runBatch(String name) throws InterruptedException {
        batchRuns++;
        LayerProcess batch = LayerProcess.batch(stackDir, environment, workDir.resolve("batch-" + batchRuns + ".log"));
        assertThat(batch.awaitExit(BATCH_TIMEOUT)).as("batch %s exit code; log:\n%s", name, batch.logTail()).isZero();
    }

    private void awaitServingReady() {
        await("serving layer ready; log " + serving.log()).atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(250))
                .ignoreExceptionsInstanceOf(UncheckedIOException.class) // not listening yet
                .failFast("the serving layer exited; log " + serving.log(), () -> !serving.isAlive())
                .until(() -> get("/health/ready").statusCode() == 200);
    }

    /** Waits until the speed watermark (reported by the serving layer) passes the moment the last record was acknowledged. */
    private void awaitSpeedCaughtUp() {
        producer.flush();
        Instant sentBy = Instant.now();
        await("speed watermark passes " + sentBy + "; log " + speed.log()).atMost(CATCH_UP_TIMEOUT).pollInterval(Duration.ofMillis(500))
                .failFast("the speed layer exited; log " + speed.log(), () -> !speed.isAlive())
                .untilAsserted(() -> {
                    JsonNode status = json(get("/v1/status"));
                    JsonNode watermark = status.get("speed").get("watermark");
                    assertThat(!watermark.isNull() && Instant.parse(watermark.asText()).isAfter(sentBy)).as("watermark in %s", status).isTrue();
                    assertThat(status.get("dead_letters").get("total").asLong()).as("dead letters in %s", status).isGreaterThanOrEqualTo(truth.invalidCount());
                });
    }

    /**
     * Compares every window of every product at every granularity with the truth, and the dead-letter count with the
     * invalid records sent; returns the batch coverage the answers carried (empty before the first run).
     */
    private Optional<JsonNode> assertExact(String step) {
        Instant from = truth.earliest().truncatedTo(ChronoUnit.DAYS);
        Instant to = truth.latest().truncatedTo(ChronoUnit.DAYS).plus(Duration.ofDays(1));
        int windows = 0;
        JsonNode batch = null;
        List<String> products = new ArrayList<>(truth.products());
        products.add("p-never-sent");
        for (String product : products) {
            for (String granularity : Truth.GRANULARITIES.keySet()) {
                HttpResponse<String> response = get("/v1/metrics/" + product + "?from=" + from + "&to=" + to + "&granularity=" + granularity);
                assertThat(response.statusCode()).as("%s %s %s: %s", step, product, granularity, response.body()).isEqualTo(200);
                JsonNode answer = json(response);
                Map<Instant, String> actual = new TreeMap<>();
                for (JsonNode window : answer.get("windows")) {
                    actual.put(Instant.parse(window.get("start").asText()), Truth.describe(window.get("event_count").asLong(),
                            new BigDecimal(window.get("revenue").asText()), window.get("duration_sum_ms").asLong()));
                }
                Map<Instant, String> expected = truth.windows(product, granularity);
                assertThat(actual).as("step %s: product %s at %s", step, product, granularity).isEqualTo(expected);
                windows += expected.size();
                batch = answer.get("batch");
            }
        }
        JsonNode status = json(get("/v1/status"));
        long deadLetters = status.get("dead_letters").get("total").asLong();
        assertThat(deadLetters).as("step %s: dead-lettered = invalid sent %s", step, truth.invalidByReason()).isEqualTo(truth.invalidCount());
        Map<String, Long> byReason = new TreeMap<>();
        status.get("dead_letters").get("by_reason").properties().forEach(entry -> byReason.put(entry.getKey(), entry.getValue().asLong()));
        assertThat(byReason).as("step %s: dead letters by reason", step).isEqualTo(truth.invalidByReason());
        String version = batch == null || batch.isNull() ? "-" : batch.get("version").asText();
        table.add(String.format(Locale.ROOT, "%-34s %8d %8d %7d %6d %7s %10.1f", step, truth.eventCount(), truth.duplicatesSent(),
                deadLetters, windows, version, Duration.between(suiteStart, Instant.now()).toMillis() / 1000.0));
        return batch == null || batch.isNull() ? Optional.empty() : Optional.of(batch);
    }

    private void printTable() {
        StringBuilder out = new StringBuilder("\nExactness suite (" + PRODUCTS + " products, 5m/1h/1d, every window compared)\n");
        out.append(String.format(Locale.ROOT, "%-34s %8s %8s %7s %6s %7s %10s%n", "step", "events", "dups", "dlq", "windows", "batch", "at (s)"));
        table.forEach(row -> out.append(row).append('\n'));
        System.out.println(out);
    }

    private HttpResponse<String> get(String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(servingUrl + path)).timeout(Duration.ofSeconds(30)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        }
        catch (IOException e) {
            throw new UncheckedIOException("GET " + path + " failed", e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted during GET " + path, e);
        }
    }

    private static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        }
        catch (IOException e) {
            throw new UncheckedIOException("Not JSON: " + response.body(), e);
        }
    }
}
