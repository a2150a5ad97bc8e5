package io.lambdaplatform.it.speed;

import com.datastax.oss.driver.api.core.CqlSession;
import com.typesafe.config.Config;
import io.lambdaplatform.it.layers.LayerProcess;
import io.lambdaplatform.it.stack.ExternalTools;
import io.lambdaplatform.it.stack.RealStack;
import io.lambdaplatform.it.stack.StackDirectory;
import io.lambdaplatform.model.config.PlatformConfig;
import io.lambdaplatform.stack.StackEndpoints;
import io.lambdaplatform.viewstore.CassandraSettings;
import io.lambdaplatform.viewstore.CassandraSpeedViews;
import io.lambdaplatform.viewstore.SpeedProgress;
import io.lambdaplatform.viewstore.ViewSchema;
import io.lambdaplatform.viewstore.ViewStoreUnavailableException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Events of the same products produced with Java's placement (murmur2 of the key) and with librdkafka's
 * ({@code kcat -X partitioner=consistent_random}, as Python, Go and C clients place keys) into one topic,
 * so that one product lands on several partitions, with copies of one event on two partitions in both
 * orders: every 5-minute window of the speed layer equals the truth.
 */
@EnabledIf(value = "kcatPresentOrRequired", disabledReason = "NOT RUN: MixedPlacementIT needs kcat on the PATH (Debian: "
        + "apt-get install kcat). Install it and run ./mvnw verify, or set LAMBDA_IT_REQUIRE_TOOLS=true to make a missing kcat fail the build")
@RealStack
class MixedPlacementIT {

    private static final int PARTITIONS = 4;

    private final String run = Long.toString(System.currentTimeMillis(), 36);
    private final String topic = "it-placement-" + run;
    private final String keyspace = "it_placement_" + run;
    private final SpeedSums sums = new SpeedSums();
    private LayerProcess speed;
    private CqlSession session;

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
    void javaAndLibrdkafkaPlacementOfTheSameProductsWithCopiesOnTwoPartitionsLeaveEveryWindowExact(StackEndpoints endpoints) throws Exception {
        String kcat = kcat();
        Path stackDir = StackDirectory.of(endpoints);
        Config stack = PlatformConfig.load(null, stackDir);
        String bootstrap = stack.getString("lambda.kafka.bootstrap-servers");
        Path workDir = Files.createDirectories(Path.of("target", "it-speed-placement", run)).toAbsolutePath();
        SpeedTopics.create(bootstrap, topic, PARTITIONS);
        session = CassandraSettings.from(stack).connect();
        ViewSchema.create(session, keyspace, 1);
        CassandraSpeedViews views = new CassandraSpeedViews(session, keyspace);
        speed = LayerProcess.speed(stackDir, SpeedTopics.speedEnvironment(topic, keyspace, "it-placement-" + run), workDir.resolve("speed.log"));

        Random random = new Random(5);
        List<String> products = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            products.add("mix-" + run + "-" + i);
        }
        Instant now = Instant.now();
        List<SpeedSums.Sent> javaSent = new ArrayList<>();
        List<SpeedSums.Sent> kcatSent = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            SpeedSums.Sent event = new SpeedSums.Sent(products.get(random.nextInt(products.size())), "m" + i, random.nextInt(25_000) - 5_000,
                    random.nextInt(10_000), now.minusMillis(random.nextInt(7_200_000)).truncatedTo(ChronoUnit.MILLIS));
            (i % 2 == 0 ? javaSent : kcatSent).add(event);
        }
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
            // Round 1: Java placement, then librdkafka placement of other events of the same products, then copies of
            // kcat's events through Java (so a copy lands second on another partition) and of Java's through kcat.
            for (SpeedSums.Sent event : javaSent) {
                producer.send(new ProducerRecord<>(topic, event.key(), event.json())).get();
                sums.acknowledged(event);
            }
            produceWithKcat(kcat, bootstrap, kcatSent, workDir);
            for (int i = 0; i < 60; i++) {
                SpeedSums.Sent copy = kcatSent.get(random.nextInt(kcatSent.size()));
                producer.send(new ProducerRecord<>(topic, copy.key(), copy.json())).get();
            }
            List<SpeedSums.Sent> copiesThroughKcat = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                copiesThroughKcat.add(javaSent.get(random.nextInt(javaSent.size())));
            }
            produceWithKcat(kcat, bootstrap, copiesThroughKcat, workDir);
            // Copies to an explicitly different partition, first copy on the higher partition, the second on the lower one.
            for (int i = 0; i < 40; i++) {
                SpeedSums.Sent event = new SpeedSums.Sent(products.get(i % products.size()), "x" + i, 100 + i, i, now.truncatedTo(ChronoUnit.MILLIS));
                producer.send(new ProducerRecord<>(topic, PARTITIONS - 1, event.key(), event.json())).get();
                sums.acknowledged(event);
                producer.send(new ProducerRecord<>(topic, 0, event.key(), event.json())).get();
            }
        }
        assertThat(productsOnSeveralPartitions(bootstrap)).as("products placed on more than one partition").isNotEmpty();
        Instant sentBy = Instant.now();

        await("every partition's speed watermark past the end of the sends").atMost(Duration.ofMinutes(3))
                // A read that timed out on the shared, busy Cassandra is asked again.
                .ignoreExceptionsInstanceOf(ViewStoreUnavailableException.class).untilAsserted(() -> {
            assertThat(speed.isAlive()).as("speed layer alive; log:\n%s", speed.logTail()).isTrue();
            List<SpeedProgress> progress = views.progress();
            assertThat(progress).hasSize(PARTITIONS).allMatch(p -> p.watermark().isAfter(sentBy));
        });

        assertThat(sums.actual(views)).isEqualTo(sums.expected());
        assertThat(sums.events()).isEqualTo(640);
    }

    static boolean kcatPresentOrRequired() {
        return ExternalTools.onPath("kcat").isPresent() || ExternalTools.required();
    }

    /** kcat is the real-world librdkafka producer; CI installs it (Debian package kcat). */
    private static String kcat() {
        return ExternalTools.onPath("kcat").map(Path::toString).orElseThrow(() -> new AssertionError("kcat is not on PATH: this test "
                + "produces with librdkafka's placement through kcat; install it (apt-get install kcat, as .ci/run does)"));
    }

    /** One line "key TAB json" per event through {@code kcat -P}, librdkafka's consistent_random partitioner, acks=all. */
    private void produceWithKcat(String kcat, String bootstrap, List<SpeedSums.Sent> events, Path workDir) throws Exception {
        Process process = new ProcessBuilder(kcat, "-P", "-b", bootstrap, "-t", topic, "-K", "\t", "-X", "partitioner=consistent_random",
                "-X", "acks=all")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(workDir.resolve("kcat.log").toFile()))
                .start();
        try (OutputStream in = process.getOutputStream()) {
            for (SpeedSums.Sent event : events) {
                in.write(event.key());
                in.write('\t');
                in.write(event.json());
                in.write('\n');
            }
        }
        catch (IOException e) {
            process.destroyForcibly();
            throw e;
        }
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("kcat finished").isTrue();
        assertThat(process.exitValue()).as("kcat exit code; log %s", workDir.resolve("kcat.log")).isZero();
        events.forEach(sums::acknowledged);
    }

    /** Products whose records are on more than one partition, read back from the topic. */
    private Set<String> productsOnSeveralPartitions(String bootstrap) {
        Map<String, Set<Integer>> partitions = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> all = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                all.add(new TopicPartition(topic, p));
            }
            consumer.assign(all);
            consumer.seekToBeginning(all);
            Map<TopicPartition, Long> ends = consumer.endOffsets(all);
            Instant deadline = Instant.now().plusSeconds(30);
            while (all.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp)) && Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    partitions.computeIfAbsent(new String(record.key(), StandardCharsets.UTF_8), k -> new HashSet<>()).add(record.partition());
                }
            }
        }
        Set<String> several = new HashSet<>();
        partitions.forEach((product, on) -> {
            if (on.size() > 1) {
                several.add(product);
            }
        });
        return several;
    }
}
