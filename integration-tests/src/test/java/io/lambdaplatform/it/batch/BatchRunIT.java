package io.lambdaplatform.it.batch;

import com.datastax.oss.driver.api.core.CqlSession;
import io.lambdaplatform.it.layers.LayerProcess;
import io.lambdaplatform.it.stack.RealStack;
import io.lambdaplatform.it.stack.Resources;
import io.lambdaplatform.model.EventWindow;
import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.model.Metrics;
import io.lambdaplatform.model.ViewKey;
import io.lambdaplatform.stack.StackEndpoints;
import io.lambdaplatform.viewstore.BatchVersion;
import io.lambdaplatform.viewstore.CassandraBatchViews;
import io.lambdaplatform.viewstore.CassandraSettings;
import io.lambdaplatform.viewstore.ViewRow;
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
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static io.lambdaplatform.model.Granularity.FIVE_MINUTES;
import static io.lambdaplatform.model.Granularity.ONE_DAY;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The batch layer end to end on the real stack, as one scenario in order: events sent to Kafka with a real
 * producer, {@code ./lambda batch} as its own process (SparkSubmit, local mode, S3A with the magic committer
 * to S3Proxy, views to Cassandra), the views compared with what the test computes from what it sent.
 *
 * <p>Its own topic (LogAppendTime), keyspace and master-dataset prefix, so other tests' data never mixes in.
 * Ingest buckets of 1 s and no safety margin, so a run's cutoff is the start of the second of the newest record
 * the brokers appended (their clock); the test appends an invalid "tick" record to move that clock past the
 * events it wants covered. A lease of 10 s, so a killed run blocks the next command only briefly.
 */
// Among the longest classes, so it starts early when classes run in parallel (integration-tests/pom.xml).
@Order(3)
@RealStack
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BatchRunIT {

    private static final String KEYSPACE = "it_batch_run";
    private static final Set<String> PRODUCTS = Set.of("it-a", "it-b", "it-c");
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(10);
    private static final Instant FROM = Instant.parse("2026-11-01T00:00:00Z");
    private static final Instant TO = Instant.parse("2026-12-01T00:00:00Z");

    private Path stackDir;
    private Map<String, String> environment;
    private SentEvents sent;
    private CqlSession session;
    private CassandraBatchViews views;
    private BatchVersion first;
    private BatchVersion second;

    @BeforeAll
    void setUp(StackEndpoints stack) throws Exception {
        BatchStackDir dir = BatchStackDir.create(stack, "batch", KEYSPACE, 3, "1g");
        String topic = dir.topic();
        stackDir = dir.stackDir();
        environment = dir.environment();
        sent = new SentEvents(stack.kafkaBootstrap(), topic);
        session = CassandraSettings.of(stack.cassandraContactPoint(), stack.cassandraDatacenter(), KEYSPACE).connect();
    }

    @AfterAll
    void tearDown() throws Exception {
        Resources.closeAll(sent, session);
    }

    @Test
    @Order(1)
    void theFirstRunPublishesVersion1WithTheViewsOfEverythingIngestedBeforeItsCutoff() throws Exception {
        sent.send(event("a1", "it-a", "10.10", 100, "2026-11-24T10:01:00Z"));
        sent.send(event("a2", "it-a", "0.20", 200, "2026-11-24T10:02:00Z"));
        sent.send(event("a3", "it-a", "5.00", 50, "2026-11-20T08:00:00Z"));
        sent.send(event("b1", "it-b", "1000000000.01", 1, "2026-11-24T10:03:00Z"));
        sent.send(event("a1", "it-a", "99.99", 999, "2026-11-24T10:01:00Z"));
        sent.sendRaw("it-a", "not json");
        sent.sendRaw("it-x", "{\"event_id\":\"x1\",\"product_id\":\"it-b\",\"revenue\":\"1.00\",\"duration_ms\":1,\"event_time\":\"2026-11-24T10:00:00Z\"}");
        Instant lastIngest = sent.send(event("b2", "it-b", "-3.00", 30, "2026-11-24T10:04:59.999Z"));
        tick();

        String output = runBatch("run-1", Map.of());

        first = views().current().orElseThrow();
        assertThat(first.version()).isEqualTo(1);
        assertThat(first.cutoff()).isAfter(lastIngest);
        assertThat(first.eventCount()).isEqualTo(5);
        assertThat(rows(1)).isEqualTo(sent.expectedViews(first.cutoff()));
        assertThat(exact(rows(1))).containsEntry(key("it-a", ONE_DAY, "2026-11-24T00:00:00Z"), metrics(2, "10.30", 300))
                .containsEntry(key("it-b", FIVE_MINUTES, "2026-11-24T10:00:00Z"), metrics(2, "999999997.01", 31))
                .containsEntry(key("it-a", ONE_DAY, "2026-11-20T00:00:00Z"), metrics(1, "5.00", 50));
        assertThat(output).contains("rejected key-mismatch: 1", "rejected malformed-json: 1", "1 duplicates dropped");
    }

    @Test
    @Order(2)
    void aSecondRunPublishesVersion2CoveringExactlyTheEventsIngestedBeforeItsCutoff() throws Exception {
        sent.send(event("a4", "it-a", "1.00", 10, "2026-11-24T10:06:00Z"));
        sent.send(event("b1", "it-b", "7.77", 7, "2026-11-24T10:03:00Z"));
        sent.send(event("c1", "it-c", "0.01", 1, "2026-11-23T23:59:59.999Z"));
        Thread.sleep(1500);

        LayerProcess running = startBatch("run-2", Map.of());
        // Sent while the job starts: each lands below or above its cutoff, and the views must say which.
        for (int i = 0; i < 20; i++) {
            sent.send(event("c-late-" + i, "it-c", "2.00", 20, "2026-11-24T11:00:00Z"));
            Thread.sleep(250);
        }
        assertThat(running.awaitExit(RUN_TIMEOUT)).as(running.logText()).isZero();
        assertThat(running.logText()).contains("recompute: incremental from version 1");
        second = views().current().orElseThrow();
        assertThat(second.version()).isEqualTo(2);
        assertThat(second.cutoff()).isAfter(first.cutoff());
        assertThat(second.eventCount()).isEqualTo(sent.expectedEvents(second.cutoff()));
        assertThat(rows(2)).isEqualTo(sent.expectedViews(second.cutoff()));
        assertThat(exact(rows(2))).containsEntry(key("it-a", ONE_DAY, "2026-11-24T00:00:00Z"), metrics(3, "11.30", 310));
        assertThat(rows(1)).isEqualTo(sent.expectedViews(first.cutoff()));
    }

    @Test
    @Order(3)
    void aRerunWithNoNewEventsBelowItsCutoffChangesNothing() {
        // A margin of an hour: the cutoff cannot pass the one already archived, so nothing is new below it.
        String output = runBatch("rerun", Map.of("LAMBDA_BATCH_SAFETY__MARGIN", "1h"));

        assertThat(output).contains("version 2 already covers this cutoff; nothing to do");
        assertThat(views().current()).contains(second);
        assertThat(views().versions()).extracting(BatchVersion::version).containsExactly(2L, 1L);
        assertThat(rows(2)).isEqualTo(sent.expectedViews(second.cutoff()));
    }

    @Test
    @Order(4)
    void aRunKilledAfterWritingItsRowsButBeforeTheFlipLeavesVersion2LiveAndComplete() throws Exception {
        sent.send(event("a5", "it-a", "100.00", 1000, "2026-11-24T12:00:00Z"));
        tick();
        LayerProcess running = startBatch("killed", Map.of("LAMBDA_BATCH_PAUSE__BEFORE__PUBLISH", "10m"));
        running.awaitLog("of version 3 written; pausing", Duration.ofMinutes(8));

        running.kill();

        assertThat(views().current()).contains(second);
        assertThat(views().versions()).extracting(BatchVersion::version, BatchVersion::isPublished)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(3L, false), org.assertj.core.groups.Tuple.tuple(2L, true),
                        org.assertj.core.groups.Tuple.tuple(1L, true));
        assertThat(exact(rows(3))).containsEntry(key("it-a", ONE_DAY, "2026-11-24T00:00:00Z"), metrics(4, "111.30", 1310));
        assertThat(rows(2)).isEqualTo(sent.expectedViews(second.cutoff()));
    }

    @Test
    @Order(5)
    void rollbackPointsReadersAtVersion1() throws InterruptedException {
        // The killed run's lease lives until its time-to-live ends; until then a rollback is refused.
        LeaseRow.awaitFree(session, KEYSPACE, Duration.ofSeconds(60));
        String output = runBatch("rollback", Map.of(), "rollback");

        assertThat(output).contains("Rolled back from version 2 to version 1");
        assertThat(views().current()).contains(first);
        assertThat(rows(1)).isEqualTo(sent.expectedViews(first.cutoff()));
    }

    @Test
    @Order(6)
    void theNextRunPublishesVersion4AndRemovesTheUnfinishedOne() {
        String output = runBatch("run-4", Map.of());

        // After the rollback to version 1 the next version is computed from the master dataset alone.
        assertThat(output).contains("recompute: full (the live version 1 is older than the newest published version 2");
        BatchVersion fourth = views().current().orElseThrow();
        assertThat(fourth.version()).isEqualTo(4);
        assertThat(rows(4)).isEqualTo(sent.expectedViews(fourth.cutoff()));
        assertThat(views().versions()).extracting(BatchVersion::version).containsExactly(4L, 2L, 1L);
    }

    /** Waits past the current ingest second and appends a record the views ignore: the brokers' clock moves on. */
    private void tick() throws InterruptedException {
        Thread.sleep(1500);
        sent.sendRaw("it-tick", "clock tick");
    }

    /** {@code ./lambda batch [subcommand]} in a process of its own, with the test's settings and {@code extra} on top. */
    private LayerProcess startBatch(String name, Map<String, String> extra, String... subcommand) {
        Map<String, String> settings = new HashMap<>(environment);
        settings.putAll(extra);
        return LayerProcess.batch(stackDir, settings, stackDir.resolve("logs").resolve(name + ".log"), subcommand);
    }

    /** Runs the batch job to its end, checks it exited 0, and returns what it printed. */
    private String runBatch(String name, Map<String, String> extra, String... subcommand) {
        LayerProcess process = startBatch(name, extra, subcommand);
        try {
            assertThat(process.awaitExit(RUN_TIMEOUT)).as(process.logText()).isZero();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted waiting for " + name, e);
        }
        return process.logText();
    }

    /** Prepared once, after the first run has created the keyspace and tables. */
    private CassandraBatchViews views() {
        if (views == null) {
            views = new CassandraBatchViews(session, KEYSPACE);
        }
        return views;
    }

    private Map<ViewKey, Metrics> rows(long version) {
        Map<ViewKey, Metrics> rows = new TreeMap<>();
        for (String product : PRODUCTS) {
            for (Granularity granularity : Granularity.values()) {
                for (ViewRow row : views().read(version, product, granularity, FROM, TO)) {
                    rows.put(row.key(), row.metrics());
                }
            }
        }
        return rows;
    }

    /** The rows' exact measures, their sketches left out (the comparison with {@code expectedViews} covers them). */
    private static Map<ViewKey, Metrics> exact(Map<ViewKey, Metrics> rows) {
        Map<ViewKey, Metrics> exact = new TreeMap<>();
        rows.forEach((key, metrics) -> exact.put(key, metrics.withSketches(null)));
        return exact;
    }

    private static io.lambdaplatform.model.Event event(String id, String product, String revenue, long durationMs, String eventTime) {
        return new io.lambdaplatform.model.Event(id, product, null, new BigDecimal(revenue), durationMs, Instant.parse(eventTime));
    }

    private static ViewKey key(String product, Granularity granularity, String start) {
        return new ViewKey(product, new EventWindow(granularity, Instant.parse(start)));
    }

    private static Metrics metrics(long count, String revenue, long durationMs) {
        return new Metrics(count, new BigDecimal(revenue), durationMs);
    }
}
