package io.lambdaplatform.it.exactness;

import com.datastax.oss.driver.api.core.CqlSession;
import com.fasterxml.jackson.databind.JsonNode;
import io.lambdaplatform.generator.EventGenerator;
import io.lambdaplatform.generator.GeneratorSettings;
import io.lambdaplatform.it.layers.LayerProcess;
import io.lambdaplatform.it.stack.RealStack;
import io.lambdaplatform.it.stack.Resources;
import io.lambdaplatform.it.stack.StackDirectory;
import io.lambdaplatform.it.stack.TestStack;
import io.lambdaplatform.model.Event;
import io.lambdaplatform.model.config.PlatformConfig;
import io.lambdaplatform.viewstore.CassandraBatchViews;
import io.lambdaplatform.viewstore.CassandraSettings;
import io.lambdaplatform.viewstore.ViewSchema;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The platform's main promise, end to end: the speed, batch and serving layers as separate processes started
 * through {@code ./lambda} against the shared real stack, events from the generator (late, out-of-order, duplicate
 * and invalid ones), and at every step every window of every product at 5m, 1h and 1d compared with the truth the
 * test computes from what it sent ({@link Truth}). The seven steps: speed only; a batch run (full: nothing is published
 * yet); more events late and duplicate over the batch; {@code kill -9} of the speed layer mid-stream; a batch run killed
 * before it publishes, and its rerun (incremental: it adds the records since the first run to its version); a
 * {@code --full} run and a rollback; a Kafka broker restart mid-stream.
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

    private final Truth truth = new Truth();
    private final List<String> table = new ArrayList<>();
    private final Instant suiteStart = Instant.now();

    private TestStack stack;
    private IsolatedRun isolated;
    private String run;
    private String keyspace;
    private Path stackDir;
    private Path workDir;
    private Map<String, String> environment;
    private TruthSender sender;
    private CqlSession session;
    private CassandraBatchViews batchViews;
    private LayerProcess speed;
    private LayerProcess serving;
    private ServingAnswers answers;
    private int batchRuns;

    @BeforeAll
    void startLayers(TestStack testStack) throws Exception {
        stack = testStack;
        stackDir = StackDirectory.of(stack.endpoints());
        isolated = IsolatedRun.of("exact");
        run = isolated.run();
        keyspace = isolated.keyspace();
        workDir = isolated.workDir();
        String bootstrap = stack.endpoints().kafkaBootstrap();
        isolated.createTopics(bootstrap, PARTITIONS);
        session = CassandraSettings.from(PlatformConfig.load(null, stackDir)).connect();
        ViewSchema.create(session, keyspace, 1);
        batchViews = new CassandraBatchViews(session, keyspace);
        sender = new TruthSender(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), isolated.topic(), truth);

        environment = isolated.environment();
        // A short safety margin, so a batch cutoff lands close behind the events just sent.
        environment.put("LAMBDA_BATCH_SAFETY__MARGIN", "5s");
        environment.put("LAMBDA_BATCH_MASTER__PATH", "s3a://" + stack.endpoints().s3Bucket() + "/it-exactness-" + run + "/master");
        environment.put("LAMBDA_BATCH_HEAP", "1500m");
        environment.put("LAMBDA_BATCH_LEASE__TTL", "10s");

        speed = startSpeed();
        int port = LayerProcess.freePort();
        answers = new ServingAnswers("http://127.0.0.1:" + port);
        serving = LayerProcess.serving(stackDir, port, environment, workDir.resolve("serving.log"));
        answers.awaitReady(serving);
    }

    @AfterAll
    void stopLayers() throws Exception {
        printTable();
        Resources.closeAll(serving, speed, sender, session);
    }

    @Test
    @Order(1)
    void speedLayerAloneIsExactUnderLateDuplicateAndInvalidEvents() throws Exception {
        sender.send(generator(1, 1_500), 0);
        awaitSpeedCaughtUp();
        Optional<JsonNode> batch = assertExact("1 speed layer only");
        assertThat(batch).as("no batch run yet").isEmpty();
    }

    @Test
    @Order(2)
    void aBatchRunIsExactAndTheAnswerShowsItsVersionAndCutoff() throws Exception {
        Instant before = Instant.now();
        assertThat(runBatch("first run")).contains("recompute: full (no version is published yet)");
        answers.awaitBatchVersion(1);
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
            sender.sendEvent(new Event(original.eventId(), original.productId(), null, original.revenue(), original.durationMs(), original.eventTime()));
            sender.sendEvent(new Event("late-" + run + "-" + i, original.productId(), null, new BigDecimal("3.21"), 7, original.eventTime().plusMillis(1)));
        }
        sender.send(generator(3, 800), 0);
        awaitSpeedCaughtUp();
        JsonNode batch = assertExact("3 late + duplicates over batch").orElseThrow();
        assertThat(batch.get("version").asLong()).isEqualTo(1);
    }

    @Test
    @Order(4)
    void killMinus9OfTheSpeedLayerMidStreamThenARestartIsExact() throws Exception {
        TruthSender.Background stream = sender.background(generator(4, 3_000), 300);
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
        // Incremental: the late events and duplicates of step 3 and the events of step 4 are added to version 1.
        assertThat(runBatch("rerun")).contains("recompute: incremental from version " + published);
        answers.awaitBatchVersion(batchViews.current().orElseThrow().version());
        JsonNode rerun = assertExact("5b rerun").orElseThrow();
        assertThat(rerun.get("version").asLong()).isGreaterThan(published);
    }

    @Test
    @Order(6)
    void aSecondFullRunAndARollbackStayExact() throws Exception {
        sender.send(generator(6, 400), 0);
        awaitSpeedCaughtUp();
        long before = batchViews.current().orElseThrow().version();
        assertThat(runBatch("second full run", "--full")).contains("recompute: full (a full recompute was asked for");
        answers.awaitBatchVersion(batchViews.current().orElseThrow().version());
        JsonNode after = assertExact("6a another batch run").orElseThrow();
        assertThat(after.get("version").asLong()).isGreaterThan(before);

        LayerProcess rollback = LayerProcess.batch(stackDir, environment, workDir.resolve("batch-rollback.log"), "rollback");
        assertThat(rollback.awaitExit(Duration.ofMinutes(2))).as("rollback exit code; log:\n%s", rollback.logTail()).isZero();
        answers.awaitBatchVersion(before);
        JsonNode rolledBack = assertExact("6b rollback").orElseThrow();
        assertThat(rolledBack.get("version").asLong()).isEqualTo(before);
    }

    @Test
    @Order(7)
    void aKafkaBrokerRestartMidStreamIsExactOnceTheSpeedLayerResumes() throws Exception {
        TruthSender.Background stream = sender.background(generator(7, 2_000), 250);
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

    /** Runs {@code ./lambda batch OPTIONS}; returns its output, which says whether it recomputed in full or incrementally. */
    private String runBatch(String name, String... options) throws InterruptedException {
        batchRuns++;
        LayerProcess batch = LayerProcess.batch(stackDir, environment, workDir.resolve("batch-" + batchRuns + ".log"), options);
        assertThat(batch.awaitExit(BATCH_TIMEOUT)).as("batch %s exit code; log:\n%s", name, batch.logTail()).isZero();
        return batch.logText();
    }

    /** Waits until the speed watermark (reported by the serving layer) passes the moment the last record was acknowledged. */
    private void awaitSpeedCaughtUp() {
        sender.flush();
        answers.awaitCaughtUp(Instant.now(), truth, CATCH_UP_TIMEOUT, speed::isAlive, speed.log().toString());
    }

    /**
     * Compares every window of every product at every granularity with the truth, and the dead-letter count with the
     * invalid records sent; returns the batch coverage the answers carried (empty before the first run).
     */
    private Optional<JsonNode> assertExact(String step) {
        ServingAnswers.Checked checked = answers.assertExact(truth, step);
        String version = checked.batch().map(batch -> batch.get("version").asText()).orElse("-");
        table.add(String.format(Locale.ROOT, "%-34s %8d %8d %7d %6d %7s %10.1f", step, truth.eventCount(), truth.duplicatesSent(),
                checked.deadLetters(), checked.windows(), version, Duration.between(suiteStart, Instant.now()).toMillis() / 1000.0));
        return checked.batch();
    }

    private void printTable() {
        StringBuilder out = new StringBuilder("\nExactness suite (" + PRODUCTS + " products, 5m/1h/1d, every window compared)\n");
        out.append(String.format(Locale.ROOT, "%-34s %8s %8s %7s %6s %7s %10s%n", "step", "events", "dups", "dlq", "windows", "batch", "at (s)"));
        table.forEach(row -> out.append(row).append('\n'));
        System.out.println(out);
    }
}
