package io.lambdaplatform.it.batch;

import com.datastax.oss.driver.api.core.CqlSession;
import io.lambdaplatform.it.layers.LayerProcess;
import io.lambdaplatform.it.stack.RealStack;
import io.lambdaplatform.model.Event;
import io.lambdaplatform.stack.StackEndpoints;
import io.lambdaplatform.viewstore.BatchVersion;
import io.lambdaplatform.viewstore.CassandraBatchViews;
import io.lambdaplatform.viewstore.CassandraSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One batch writer at a time (point 6 of issue 11): two {@code ./lambda batch} started together, and a
 * {@code ./lambda batch rollback} while a run is about to publish. Before the lease, one of two concurrent runs died
 * with {@code NoSuchKeyException} (the other's cleanup removed its upload) and a rollback during a run exited 0 and
 * was silently undone by the run's publication.
 */
// Among the longest classes, so it starts early when classes run in parallel (integration-tests/pom.xml).
@Order(10)
@RealStack
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BatchLeaseIT {

    private static final String KEYSPACE = "it_batch_lease";
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(5);
    private static final Pattern TOOK_LEASE = Pattern.compile("Took the batch lease as (\\S+/pid \\d+/[0-9a-f]{8})");

    private Path stackDir;
    private Map<String, String> environment;
    private SentEvents sent;
    private CqlSession session;

    @BeforeAll
    void setUp(StackEndpoints stack) throws Exception {
        BatchStackDir dir = BatchStackDir.create(stack, "lease", KEYSPACE, 2, "768m");
        String topic = dir.topic();
        stackDir = dir.stackDir();
        environment = dir.environment();
        sent = new SentEvents(stack.kafkaBootstrap(), topic);
        session = CassandraSettings.of(stack.cassandraContactPoint(), stack.cassandraDatacenter(), KEYSPACE).connect();
    }

    @AfterAll
    void tearDown() {
        if (sent != null) {
            sent.close();
        }
        if (session != null) {
            session.close();
        }
    }

    @Test
    void twoRunsStartedTogetherPublishOnceAndARollbackDuringARunIsRefusedUntilItEnds() throws Exception {
        sent.send(event("l1", "1.00"));
        sent.send(event("l2", "2.00"));
        tick();
        // The run that takes the lease holds it, paused before publishing, until the other has given up: the two
        // overlap however their starts are skewed.
        Map<String, String> heldUntilReleased = pausedUntil("together");
        LayerProcess one = start("together-1", heldUntilReleased);
        LayerProcess two = start("together-2", heldUntilReleased);
        await("one of the two runs gives up").atMost(RUN_TIMEOUT).until(() -> !one.isAlive() || !two.isAlive());
        release("together");
        int codeOne = one.awaitExit(RUN_TIMEOUT);
        int codeTwo = two.awaitExit(RUN_TIMEOUT);

        assertThat(List.of(codeOne, codeTwo)).as(one.logText() + "\n----\n" + two.logText()).containsExactlyInAnyOrder(0, 1);
        LayerProcess winner = codeOne == 0 ? one : two;
        LayerProcess loser = codeOne == 0 ? two : one;
        assertThat(loser.logText()).contains("another batch run holds the lease: " + holder(winner));
        assertThat(one.logText() + two.logText()).doesNotContain("NoSuchKeyException");
        BatchVersion first = views().current().orElseThrow();
        assertThat(first.version()).isEqualTo(1);
        assertThat(first.eventCount()).isEqualTo(2);
        assertThat(views().versions()).extracting(BatchVersion::version).containsExactly(1L);

        sent.send(event("l3", "3.00"));
        tick();
        LayerProcess running = start("paused", pausedUntil("paused"));
        running.awaitLog("of version 2 written; pausing", RUN_TIMEOUT);
        LayerProcess refusedRollback = start("rollback-refused", Map.of(), "rollback");

        assertThat(refusedRollback.awaitExit(RUN_TIMEOUT)).as(refusedRollback.logText()).isEqualTo(1);
        assertThat(refusedRollback.logText()).contains("another batch run holds the lease: " + holder(running));
        release("paused");
        assertThat(running.awaitExit(RUN_TIMEOUT)).as(running.logText()).isZero();
        assertThat(views().current()).get().extracting(BatchVersion::version, BatchVersion::eventCount)
                .containsExactly(2L, 3L);

        LayerProcess rollback = start("rollback", Map.of(), "rollback");

        assertThat(rollback.awaitExit(RUN_TIMEOUT)).as(rollback.logText()).isZero();
        assertThat(rollback.logText()).contains("Rolled back from version 2 to version 1");
        assertThat(views().current()).contains(first);
        assertThat(LeaseRow.holder(session, KEYSPACE)).isEmpty();
    }

    private LayerProcess start(String name, Map<String, String> extra, String... subcommand) {
        Map<String, String> settings = new HashMap<>(environment);
        settings.putAll(extra);
        return LayerProcess.batch(stackDir, settings, stackDir.resolve("logs").resolve(name + ".log"), subcommand);
    }

    /** Settings that pause a run before it publishes until {@link #release} of the same name. */
    private Map<String, String> pausedUntil(String name) {
        return Map.of("LAMBDA_BATCH_PAUSE__BEFORE__PUBLISH", RUN_TIMEOUT.toSeconds() + "s",
                "LAMBDA_BATCH_PAUSE__RESUME__FILE", resumeFile(name).toString());
    }

    private void release(String name) throws IOException {
        Files.createFile(resumeFile(name));
    }

    private Path resumeFile(String name) {
        return stackDir.resolve("release-" + name);
    }

    private static String holder(LayerProcess process) {
        Matcher matcher = TOOK_LEASE.matcher(process.logText());
        assertThat(matcher.find()).as("%s took the lease:\n%s", process.name(), process.logTail()).isTrue();
        return matcher.group(1);
    }

    /** Waits past the current ingest second and appends an invalid record: the brokers' clock moves on. */
    private void tick() throws InterruptedException {
        Thread.sleep(1500);
        sent.sendRaw("it-tick", "clock tick");
    }

    private CassandraBatchViews views() {
        return new CassandraBatchViews(session, KEYSPACE);
    }

    private static Event event(String id, String revenue) {
        return new Event(id, "it-lease", null, new BigDecimal(revenue), 1, Instant.parse("2026-11-24T10:00:00Z"));
    }
}
