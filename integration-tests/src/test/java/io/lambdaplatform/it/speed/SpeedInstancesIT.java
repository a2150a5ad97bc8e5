package io.lambdaplatform.it.speed;

import com.datastax.oss.driver.api.core.CqlSession;
import com.typesafe.config.Config;
import io.lambdaplatform.it.layers.LayerProcess;
import io.lambdaplatform.it.stack.RealStack;
import io.lambdaplatform.it.stack.StackDirectory;
import io.lambdaplatform.model.config.PlatformConfig;
import io.lambdaplatform.stack.StackEndpoints;
import io.lambdaplatform.viewstore.CassandraSettings;
import io.lambdaplatform.viewstore.CassandraSpeedViews;
import io.lambdaplatform.viewstore.SpeedProgress;
import io.lambdaplatform.viewstore.ViewSchema;
import io.lambdaplatform.viewstore.ViewStoreUnavailableException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two speed-layer processes in one group on the shared stack, each with its own state directory and health
 * port chosen by itself. While events stream in, one instance at a time is frozen with {@code SIGSTOP} for
 * longer than the group's session timeout (its partitions move to the other, which goes on writing), then
 * thawed with {@code SIGCONT}: its late flush carries older row versions and must not overwrite newer rows.
 * Four times, alternating. Then every 5-minute window of every product equals the truth.
 */
// Among the longest classes, so it starts early when classes run in parallel (integration-tests/pom.xml).
@Order(5)
@RealStack
class SpeedInstancesIT {

    private static final int PARTITIONS = 4;
    private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration PAUSE = SESSION_TIMEOUT.plusSeconds(5);

    private final String run = Long.toString(System.currentTimeMillis(), 36);
    private final String topic = "it-instances-" + run;
    private final String keyspace = "it_instances_" + run;
    private final List<String> products = List.of("inst-" + run + "-a", "inst-" + run + "-b", "inst-" + run + "-c", "inst-" + run + "-d",
            "inst-" + run + "-e", "inst-" + run + "-f");
    private final SpeedSums sums = new SpeedSums();
    private final List<LayerProcess> instances = new ArrayList<>();
    private CqlSession session;

    @AfterEach
    void stopEverything() throws Exception {
        for (LayerProcess instance : instances) {
            signal("CONT", instance);
            instance.close();
        }
        if (session != null) {
            session.close();
        }
    }

    @Test
    void sigstopOfOneInstanceBeyondTheSessionTimeoutWhileEventsStreamAlternatingFourTimesLeavesEveryWindowExact(StackEndpoints endpoints)
            throws Exception {
        Path stackDir = StackDirectory.of(endpoints);
        Config stack = PlatformConfig.load(null, stackDir);
        String bootstrap = stack.getString("lambda.kafka.bootstrap-servers");
        Path workDir = Files.createDirectories(Path.of("target", "it-speed-instances", run)).toAbsolutePath();
        SpeedTopics.create(bootstrap, topic, PARTITIONS);
        session = CassandraSettings.from(stack).connect();
        ViewSchema.create(session, keyspace, 1);
        CassandraSpeedViews views = new CassandraSpeedViews(session, keyspace);
        Map<String, String> environment = new HashMap<>(SpeedTopics.speedEnvironment(topic, keyspace, "it-instances-" + run));
        environment.putAll(Map.of(
                "LAMBDA_SPEED_COMMIT__INTERVAL", "200ms",
                "LAMBDA_SPEED_STREAMS_CONSUMER_SESSION_TIMEOUT_MS", Long.toString(SESSION_TIMEOUT.toMillis()),
                "LAMBDA_SPEED_STREAMS_CONSUMER_HEARTBEAT_INTERVAL_MS", "2000",
                // A frozen instance's open transaction would hold back read_committed readers until it times out.
                "LAMBDA_SPEED_STREAMS_PRODUCER_TRANSACTION_TIMEOUT_MS", "10000"));
        environment.put("LAMBDA_JAVA_OPTS", "-Xmx384m");
        // No --state-dir, no LAMBDA_SPEED_STATE__DIR: each instance must pick its own state directory under the stack.
        instances.add(LayerProcess.start("speed-a", List.of("speed", "--stack", stackDir.toString()), environment, workDir.resolve("speed-a.log")));
        instances.add(LayerProcess.start("speed-b", List.of("speed", "--stack", stackDir.toString()), environment, workDir.resolve("speed-b.log")));
        for (LayerProcess instance : instances) {
            await("instance " + instance.name() + " running").atMost(Duration.ofMinutes(2)).untilAsserted(() -> {
                assertThat(instance.isAlive()).as("alive; log:\n%s", instance.logTail()).isTrue();
                assertThat(instance.logText()).contains("Speed layer running");
            });
        }

        AtomicBoolean streaming = new AtomicBoolean(true);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread producerThread = new Thread(() -> stream(bootstrap, streaming, failure), "it-instances-stream");
        producerThread.start();
        for (int cycle = 0; cycle < 4; cycle++) {
            LayerProcess frozen = instances.get(cycle % 2);
            TimeUnit.SECONDS.sleep(6);
            signal("STOP", frozen);
            TimeUnit.MILLISECONDS.sleep(PAUSE.toMillis());
            signal("CONT", frozen);
        }
        TimeUnit.SECONDS.sleep(5);
        streaming.set(false);
        producerThread.join(Duration.ofMinutes(1).toMillis());
        assertThat(failure.get()).isNull();
        Instant sentBy = Instant.now();

        await("every partition's speed watermark past the end of the stream").atMost(Duration.ofMinutes(3))
                // A read that timed out on the shared, busy Cassandra is asked again.
                .ignoreExceptionsInstanceOf(ViewStoreUnavailableException.class).untilAsserted(() -> {
            assertThat(instances).allMatch(LayerProcess::isAlive);
            List<SpeedProgress> progress = views.progress();
            assertThat(progress).hasSize(PARTITIONS).allMatch(p -> p.watermark().isAfter(sentBy));
        });

        assertThat(sums.actual(views)).isEqualTo(sums.expected());
        assertThat(sums.expected()).hasSizeGreaterThan(50);
        assertThat(instances.get(0).logText()).doesNotContain("LockException");
    }

    /** Valid events, one in 20 a copy of an earlier one, until told to stop; only acknowledged copies count. */
    private void stream(String bootstrap, AtomicBoolean streaming, AtomicReference<Throwable> failure) {
        Random random = new Random(11);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 5), new ByteArraySerializer(), new ByteArraySerializer())) {
            Instant now = Instant.now();
            List<SpeedSums.Sent> sent = new ArrayList<>();
            for (int i = 0; streaming.get(); i++) {
                SpeedSums.Sent event = i % 20 == 19
                        ? sent.get(random.nextInt(sent.size()))
                        : new SpeedSums.Sent(products.get(random.nextInt(products.size())), "s" + i, random.nextInt(25_000) - 5_000,
                                random.nextInt(10_000), now.minusMillis(random.nextInt(7_200_000)).truncatedTo(ChronoUnit.MILLIS));
                sent.add(event);
                producer.send(new ProducerRecord<>(topic, event.key(), event.json()), (metadata, error) -> {
                    if (error == null) {
                        sums.acknowledged(event);
                    }
                });
                if (i % 100 == 99) {
                    producer.flush();
                    TimeUnit.MILLISECONDS.sleep(50);
                }
            }
            producer.flush();
        }
        catch (Throwable e) {
            failure.set(e);
        }
    }

    private static void signal(String signal, LayerProcess process) throws Exception {
        if (!process.isAlive()) {
            return;
        }
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).as("kill -%s %s", signal, process.pid()).isZero();
    }
}
