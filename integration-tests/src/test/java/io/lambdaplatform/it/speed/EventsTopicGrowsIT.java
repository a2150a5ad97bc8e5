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
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Partitions added to the events topic, once while the speed layer runs and once while it is stopped: it goes on
 * (Kafka Streams alone stops for good on its smaller internal topics), names a new partition as not heard from
 * before any report vouches for an ingest time at which the partition held a record, and every 5-minute window ends
 * exact.
 */
@RealStack
class EventsTopicGrowsIT {

    private static final Duration POLL = Duration.ofMillis(20);

    private final String run = Long.toString(System.currentTimeMillis(), 36);
    private final String topic = "it-grows-" + run;
    private final String keyspace = "it_grows_" + run;
    private final SpeedSums sums = new SpeedSums();
    private final Random random = new Random(7);
    private LayerProcess speed;
    private CqlSession session;
    private int sent;

    @AfterEach
    void stopEverything() throws Exception {
        if (speed != null) {
            speed.close();
        }
        if (session != null) {
            session.close();
        }
    }

    @Test
    void partitionsAddedWhileRunningAndWhileStoppedAreNamedBeforeAnyReportPassesThemAndEveryWindowIsExact(StackEndpoints endpoints)
            throws Exception {
        Path stackDir = StackDirectory.of(endpoints);
        Config stack = PlatformConfig.load(null, stackDir);
        String bootstrap = stack.getString("lambda.kafka.bootstrap-servers");
        Path workDir = Files.createDirectories(Path.of("target", "it-speed-grows", run)).toAbsolutePath();
        SpeedTopics.create(bootstrap, topic, 2);
        session = CassandraSettings.from(stack).connect();
        ViewSchema.create(session, keyspace, 1);
        CassandraSpeedViews views = new CassandraSpeedViews(session, keyspace);
        Map<String, String> environment = new HashMap<>(SpeedTopics.speedEnvironment(topic, keyspace, "it-grows-" + run));
        // The new partition's source task starts at the rebalance the next metadata refresh begins (30 s by default).
        environment.put("LAMBDA_SPEED_STREAMS_MAIN_CONSUMER_METADATA_MAX_AGE_MS", "3000");
        speed = LayerProcess.speed(stackDir, environment, workDir.resolve("speed.log"));

        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
                KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                        ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 100; i++) {
                send(producer, i % 2);
            }
            awaitCovered(views, 2, Instant.now());

            // While it runs: a watcher reads the progress as the serving layer does, from before the topic grows.
            List<Snapshot> snapshots = new CopyOnWriteArrayList<>();
            AtomicBoolean watching = new AtomicBoolean(true);
            Thread watcher = new Thread(() -> {
                while (watching.get()) {
                    try {
                        snapshots.add(new Snapshot(views.progress()));
                        Thread.sleep(POLL.toMillis());
                    }
                    catch (ViewStoreUnavailableException e) {
                        // the shared Cassandra is busy: the next read
                    }
                    catch (InterruptedException e) {
                        return;
                    }
                }
            }, "progress-watcher");
            watcher.start();
            admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(3))).all().get();
            Instant firstOnNew = null;
            for (int i = 0; i < 150; i++) {
                RecordMetadata appended = send(producer, i % 3);
                if (appended.partition() == 2 && firstOnNew == null) {
                    firstOnNew = Instant.ofEpochMilli(appended.timestamp());
                }
                Thread.sleep(20);
            }
            awaitCovered(views, 3, Instant.now());
            watching.set(false);
            watcher.join();

            assertThat(firstOnNew).isNotNull();
            Instant appendedOnNew = firstOnNew;
            assertThat(snapshots).as("progress read while the topic grew").hasSizeGreaterThan(20);
            assertThat(snapshots).as("no report without partition 2 vouches for an ingest time at which partition 2 held a record")
                    .allSatisfy(snapshot -> snapshot.vouchedWithout(2)
                            .ifPresent(watermark -> assertThat(watermark).isBeforeOrEqualTo(appendedOnNew)));
            assertThat(sums.actual(views)).isEqualTo(sums.expected());

            // While it is stopped: a restart finds the topic grown and goes on.
            assertThat(speed.stop(Duration.ofSeconds(60))).as("exit code after SIGTERM").isEqualTo(143);
            admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(4))).all().get();
            for (int i = 0; i < 80; i++) {
                send(producer, i % 4);
            }
            speed = LayerProcess.speed(stackDir, environment, workDir.resolve("speed-restarted.log"));
            awaitCovered(views, 4, Instant.now());
        }
        assertThat(sums.actual(views)).isEqualTo(sums.expected());
        assertThat(sums.events()).isEqualTo(sent);
    }

    /** One new event of one of a dozen products to {@code partition}, acknowledged. */
    private RecordMetadata send(KafkaProducer<byte[], byte[]> producer, int partition) throws Exception {
        SpeedSums.Sent event = new SpeedSums.Sent("grows-" + run + "-" + random.nextInt(12), "g" + sent, random.nextInt(25_000) - 5_000,
                random.nextInt(10_000), Instant.now().minusMillis(random.nextInt(3_600_000)).truncatedTo(ChronoUnit.MILLIS));
        RecordMetadata appended = producer.send(new ProducerRecord<>(topic, partition, event.key(), event.json())).get();
        sums.acknowledged(event);
        sent++;
        return appended;
    }

    private void awaitCovered(CassandraSpeedViews views, int partitions, Instant sentBy) {
        await("every one of " + partitions + " partitions' speed watermarks past the end of the sends").atMost(Duration.ofMinutes(3))
                .ignoreExceptionsInstanceOf(ViewStoreUnavailableException.class).untilAsserted(() -> {
            assertThat(speed.isAlive()).as("speed layer alive; log:\n%s", speed.logTail()).isTrue();
            assertThat(views.progress()).hasSize(partitions).allMatch(p -> !p.isNotYet() && p.watermark().isAfter(sentBy));
        });
    }

    /** The progress of every partition as one read found it. */
    private record Snapshot(List<SpeedProgress> partitions) {

        /**
         * The watermark a reader takes from this read when {@code partition} is neither covered nor named as not heard
         * from: the earliest over the partitions reported on. Empty when the read names the partition.
         */
        Optional<Instant> vouchedWithout(int partition) {
            if (partitions.stream().anyMatch(p -> p.partition() == partition)) {
                return Optional.empty();
            }
            return partitions.stream().filter(p -> !p.isNotYet()).map(SpeedProgress::watermark).min(Comparator.naturalOrder());
        }
    }
}
