package io.lambdaplatform.it.exactness;

import com.fasterxml.jackson.databind.JsonNode;
import io.lambdaplatform.generator.EventGenerator;
import io.lambdaplatform.generator.GeneratorSettings;
import io.lambdaplatform.it.layers.LayerProcess;
import io.lambdaplatform.it.stack.RealStack;
import io.lambdaplatform.it.stack.Resources;
import io.lambdaplatform.it.stack.StackDirectory;
import io.lambdaplatform.it.stack.TestStack;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Kappa mode end to end: no batch layer; the speed and serving layers as separate processes in Kappa mode, and a logic
 * change applied by {@code ./lambda replay}. Every step compares every window of every product at 5m, 1h and 1d with the
 * truth of the logic the answer says it comes from: the contract's rules ({@link #truth}) for view set 0, the contract's
 * and {@code lambda.rules.max-duration} ({@link #ruled}) for the replayed set.
 *
 * <p>The steps: the exactness suite's scenario without a batch layer (late, duplicate and invalid events; {@code kill -9}
 * of the speed layer mid-stream); an archive; a replay under a new rule killed with {@code kill -9} while it reads the
 * master dataset, while the current
 * views keep answering; its rerun, which resumes it, compares the sets and switches readers while a client checks that
 * every answer is wholly one set's; more events into the new set, which the speed layer now builds; a rollback; and,
 * once records were deleted from the start of the log, a replay of the log alone that refuses to begin a set it could not
 * make whole, and a replay that reads those records from the master dataset ({@code ./lambda batch archive} of steps 1 and
 * 2) and the newer ones from the log.
 */
@Order(3)
@RealStack
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KappaReplayIT {

    private static final int PARTITIONS = 3;
    private static final int PRODUCTS = 6;
    private static final long MAX_DURATION_MS = 3_000;
    private static final Duration CATCH_UP_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration REPLAY_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration SAFETY_MARGIN = Duration.ofSeconds(5);

    private final Truth truth = new Truth();
    private final Truth ruled = new Truth(MAX_DURATION_MS);

    private IsolatedRun isolated;
    private String bootstrap;
    private Path stackDir;
    private Path workDir;
    private Map<String, String> environment;
    private TruthSender sender;
    private LayerProcess speed;
    private LayerProcess serving;
    private ServingAnswers answers;
    private int replays;

    @BeforeAll
    void startLayers(TestStack stack) throws Exception {
        stackDir = StackDirectory.of(stack.endpoints());
        isolated = IsolatedRun.of("kappa");
        workDir = isolated.workDir();
        bootstrap = stack.endpoints().kafkaBootstrap();
        isolated.createTopics(bootstrap, PARTITIONS);
        sender = new TruthSender(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), isolated.topic(), truth, ruled);
        environment = isolated.environment();
        environment.put("LAMBDA_PLATFORM_MODE", "kappa");
        // The platform's history in a master dataset of its own (./lambda batch archive), which a replay reads first.
        environment.put("LAMBDA_BATCH_MASTER__PATH", "s3a://" + stack.endpoints().s3Bucket() + "/it-kappa-" + isolated.run() + "/master");
        environment.put("LAMBDA_BATCH_SAFETY__MARGIN", SAFETY_MARGIN.toSeconds() + "s");
        environment.put("LAMBDA_BATCH_HEAP", "1500m");
        speed = startSpeed();
        int port = LayerProcess.freePort();
        answers = new ServingAnswers("http://127.0.0.1:" + port);
        serving = LayerProcess.serving(stackDir, port, environment, workDir.resolve("serving.log"));
        answers.awaitReady(serving);
        // The serving layer answers before the speed layer's first start has pointed readers at set 0.
        await("the speed layer makes view set 0 current").atMost(CATCH_UP_TIMEOUT).pollInterval(Duration.ofMillis(500))
                .until(() -> ServingAnswers.json(answers.get("/v1/status")).get("views").has("view_version"));
    }

    @AfterAll
    void stopLayers() throws Exception {
        Resources.closeAll(serving, speed, sender);
    }

    @Test
    @Order(1)
    void withoutABatchLayerEveryWindowIsExactUnderLateDuplicateAndInvalidEventsAndAKillOfTheSpeedLayer() throws Exception {
        sender.send(generator(1, 2_000), 0);
        awaitCaughtUp();
        assertExact(truth, "1 kappa speed layer");
        JsonNode views = ServingAnswers.json(answers.get("/v1/status")).get("views");
        assertThat(views.get("mode").asText()).isEqualTo("kappa");
        assertThat(views.get("view_version").asLong()).isZero();
        assertThat(views.get("logic_version").asText()).startsWith("r1-").doesNotContain("+");
        // The test's topic keeps the broker's 7 days: the speed layer says what that means in Kappa mode.
        assertThat(speed.logText()).contains("Kappa mode: " + isolated.topic() + " deletes records (retention.ms=604800000)");

        TruthSender.Background stream = sender.background(generator(2, 3_000), 400);
        Thread.sleep(3_000);
        assertThat(stream.isSending()).as("events still arriving").isTrue();
        speed.kill();
        speed = startSpeed();
        stream.await(Duration.ofMinutes(3));
        awaitCaughtUp();
        assertExact(truth, "2 kill -9 of the speed layer");
        assertThat(answers.get("/v1/metrics/p-0?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z&granularity=1d").body())
                .as("answers carry no batch part in Kappa mode").contains("\"batch\":null");
    }

    @Test
    @Order(2)
    void aReplayKilledInTheMiddleLeavesTheCurrentViewsServingAndItsRerunResumesItAndSwitchesReadersAtomically() throws Exception {
        // The archive's cutoff follows the brokers' newest append: without a later one, the last events sent can all be above it.
        sender.awaitCutoffPassesEverything(IsolatedRun.INGEST_BUCKETS, SAFETY_MARGIN);
        LayerProcess archive = LayerProcess.batch(stackDir, environment, workDir.resolve("archive.log"), "archive");
        assertThat(archive.awaitExit(REPLAY_TIMEOUT)).as("archive exit code; log:\n%s", archive.logTail()).isZero();
        assertThat(archive.logText()).containsPattern("archive: +[1-9][0-9]* records with ingest time in");

        LayerProcess killed = replay();
        // Killed while its topology reads the master dataset's feed.
        killed.awaitLog("REBALANCING -> RUNNING", REPLAY_TIMEOUT);
        killed.kill();
        assertThat(killed.logText()).contains("Writing the master dataset into", "Replay feed " + isolated.topic() + ".replay-feed.v1: ");
        assertThat(killed.logText()).as("killed before it switched readers").doesNotContain("Readers switched");
        assertThat(viewVersion()).isZero();
        assertExact(truth, "3a replay killed: set 0 still answers");

        List<String> products = new ArrayList<>(truth.products());
        AtomicBoolean watching = new AtomicBoolean(true);
        AtomicReference<String> torn = new AtomicReference<>();
        AtomicInteger[] seen = {new AtomicInteger(), new AtomicInteger()};
        Thread reader = new Thread(() -> {
            while (watching.get() && torn.get() == null) {
                checkWholeSet(products, seen, torn);
            }
        }, "it-kappa-reader");
        reader.start();
        LayerProcess rerun = replay("--allow-changes", "p-.*");
        int exit = rerun.awaitExit(REPLAY_TIMEOUT);
        await("answers from view set 1").atMost(Duration.ofSeconds(30)).until(() -> viewVersion() == 1);
        Thread.sleep(2_000);
        watching.set(false);
        reader.join();
        assertThat(exit).as("replay exit code; log:\n%s", rerun.logTail()).isZero();
        assertThat(rerun.logText()).contains("Resuming the replay into view set 1", "Compared with view set 0: windows equal=",
                "Readers switched to view set 1");
        assertThat(torn.get()).as("an answer mixing the two sets").isNull();
        assertThat(seen[0].get()).as("answers from set 0 during the replay").isPositive();
        assertThat(seen[1].get()).as("answers from set 1 after the switch").isPositive();

        JsonNode views = ServingAnswers.json(answers.get("/v1/status")).get("views");
        assertThat(views.get("logic_version").asText()).endsWith("+max-duration=" + MAX_DURATION_MS + "ms");
        assertExact(ruled, "3b replayed under max-duration, switched");
    }

    @Test
    @Order(3)
    void theSpeedLayerBuildsTheReplayedSetUnderItsRulesAndARollbackReturnsTheOldAnswersExactly() throws Exception {
        sender.send(generator(4, 1_500), 0);
        awaitCaughtUp();
        assertExact(ruled, "4 more events into set 1");

        LayerProcess rollback = start("rollback", "replay", "--stack", stackDir.toString(), "--rollback");
        assertThat(rollback.awaitExit(Duration.ofMinutes(2))).as("rollback exit code; log:\n%s", rollback.logTail()).isZero();
        await("answers from view set 0").atMost(Duration.ofSeconds(30)).until(() -> viewVersion() == 0);
        awaitCaughtUp();
        assertExact(truth, "5 rolled back to set 0");
    }

    @Test
    @Order(4)
    void onceTheLogLostItsFirstRecordsAReplayReadsThemFromTheMasterDatasetAndAReplayOfTheLogAloneWillNotBegin() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.deleteRecords(Map.of(new TopicPartition(isolated.topic(), 1), RecordsToDelete.beforeOffset(10))).all().get();
        }
        LayerProcess refused = replay("--log-only");
        assertThat(refused.awaitExit(Duration.ofMinutes(2))).as("replay exit code; log:\n%s", refused.logTail()).isEqualTo(2);
        assertThat(refused.logText())
                .contains(isolated.topic() + " no longer holds records (partition 1 begins at offset 10)", "--from-log-start",
                        "Nothing was begun")
                .doesNotContain("Replaying");
        assertThat(viewVersion()).isZero();
        assertExact(truth, "6 a replay of the log alone refused: set 0 still answers");

        // Offsets 0-9 of partition 1 are only in the master dataset now; the events of step 4 only in the log.
        LayerProcess fromMasterDataset = replay();
        assertThat(fromMasterDataset.awaitExit(REPLAY_TIMEOUT)).as("replay exit code; log:\n%s", fromMasterDataset.logTail()).isZero();
        assertThat(fromMasterDataset.logText()).contains("Replayed the master dataset: ", "Going on with " + isolated.topic()
                + " where the master dataset ends: partition 0 at offset ", "Readers switched to view set 2");
        await("answers from view set 2").atMost(Duration.ofSeconds(30)).until(() -> viewVersion() == 2);
        awaitCaughtUp();
        assertExact(ruled, "7 replayed from the master dataset and the log, switched");
    }

    private LayerProcess startSpeed() {
        return LayerProcess.speed(stackDir, environment, workDir.resolve("speed.log"));
    }

    private LayerProcess replay(String... options) {
        List<String> arguments = new ArrayList<>(List.of("replay", "--stack", stackDir.toString()));
        arguments.addAll(List.of(options));
        Map<String, String> rule = new HashMap<>(environment);
        rule.put("LAMBDA_RULES_MAX__DURATION", MAX_DURATION_MS + "ms");
        replays++;
        return LayerProcess.start("replay", arguments, rule, workDir.resolve("replay-" + replays + ".log"));
    }

    private LayerProcess start(String name, String... arguments) {
        return LayerProcess.start(name, List.of(arguments), environment, workDir.resolve(name + ".log"));
    }

    private EventGenerator generator(long seed, int count) {
        GeneratorSettings settings = new GeneratorSettings(count, PRODUCTS, seed * 7919 + isolated.run().hashCode(), 0.15, 0.05, 0.03, Duration.ofDays(2));
        return new EventGenerator(settings, InstantSource.system());
    }

    private void awaitCaughtUp() {
        sender.flush();
        answers.awaitCaughtUp(Instant.now(), viewVersion() == 0 ? truth : ruled, CATCH_UP_TIMEOUT, speed::isAlive, speed.log().toString());
    }

    private void assertExact(Truth expected, String step) {
        ServingAnswers.Checked checked = answers.assertExact(expected, step);
        assertThat(checked.batch()).as("no batch version in Kappa mode").isEmpty();
    }

    private long viewVersion() {
        return ServingAnswers.json(answers.get("/v1/status")).get("views").get("view_version").asLong();
    }

    /**
     * One answer over every product at 1d: the set it names must be the set its numbers are, wholly — set 0's under the
     * contract's rules, set 1's under max-duration.
     */
    private void checkWholeSet(List<String> products, AtomicInteger[] seen, AtomicReference<String> torn) {
        Instant from = truth.earliest().truncatedTo(ChronoUnit.DAYS);
        Instant to = truth.latest().truncatedTo(ChronoUnit.DAYS).plus(Duration.ofDays(1));
        StringBuilder query = new StringBuilder("/v1/metrics?from=" + from + "&to=" + to + "&granularity=1d");
        products.forEach(product -> query.append("&product=").append(product));
        JsonNode answer = ServingAnswers.json(answers.get(query.toString()));
        int set = answer.get("views").get("view_version").asInt();
        Truth expected = set == 0 ? truth : ruled;
        for (String product : products) {
            Map<Instant, String> windows = new TreeMap<>(ServingAnswers.windows(answer.get("products").get(product)));
            if (!windows.equals(expected.windows(product, "1d"))) {
                torn.compareAndSet(null, "an answer naming view set " + set + " has other numbers for " + product + ": " + windows
                        + " instead of " + expected.windows(product, "1d"));
                return;
            }
        }
        seen[set].incrementAndGet();
    }
}
