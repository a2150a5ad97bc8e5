package io.lambdaplatform.it.speed;

import com.datastax.oss.driver.api.core.CqlSession;
import com.typesafe.config.Config;
import io.lambdaplatform.it.layers.LayerProcess;
import io.lambdaplatform.it.stack.RealStack;
import io.lambdaplatform.it.stack.Resources;
import io.lambdaplatform.it.stack.StackDirectory;
import io.lambdaplatform.model.config.PlatformConfig;
import io.lambdaplatform.stack.StackEndpoints;
import io.lambdaplatform.viewstore.CassandraSettings;
import io.lambdaplatform.viewstore.CassandraSpeedViews;
import io.lambdaplatform.viewstore.DeadLetterCount;
import io.lambdaplatform.viewstore.SpeedDelta;
import io.lambdaplatform.viewstore.ViewSchema;
import io.lambdaplatform.viewstore.ViewStoreUnavailableException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
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
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The speed layer as a separate process against the shared stack: every Cassandra row must equal what
 * the test computes itself from what it sent (first copy per product and event id, plain Java sums),
 * before and after a {@code kill -9} in the middle of a stream of events.
 */
// Among the longest classes, so it starts early when classes run in parallel (integration-tests/pom.xml).
@Order(7)
@RealStack
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SpeedLayerIT {

    private static final int PARTITIONS = 3;
    private static final long WINDOW_MILLIS = Duration.ofMinutes(5).toMillis();
    private static final Duration WATERMARK_TIMEOUT = Duration.ofMinutes(3);

    private final String run = Long.toString(System.currentTimeMillis(), 36);
    private final String topic = "it-speed-events-" + run;
    private final String deadLetterTopic = "it-speed-dlq-" + run;
    private final String keyspace = "it_speed_" + run;
    private final List<String> products = List.of("it-" + run + "-a", "it-" + run + "-b", "it-" + run + "-c", "it-" + run + "-d", "it-" + run + "-e");
    /** First copy of each (product, event id), in send order. */
    private final Map<String, Sent> firstCopies = new ConcurrentHashMap<>();
    private final Map<String, Integer> invalidSent = new TreeMap<>();
    private final Random random = new Random(7);

    private Path stackDir;
    private Config stack;
    private Path workDir;
    private KafkaProducer<byte[], byte[]> producer;
    private CqlSession session;
    private CassandraSpeedViews views;
    private LayerProcess speed;

    private record Sent(String productId, String eventId, long revenueCents, long durationMs, Instant eventTime) {
        byte[] json() {
            return ("{\"event_id\":\"" + eventId + "\",\"product_id\":\"" + productId + "\",\"revenue\":\""
                    + BigDecimal.valueOf(revenueCents, 2).toPlainString() + "\",\"duration_ms\":" + durationMs
                    + ",\"event_time\":\"" + eventTime + "\"}").getBytes(StandardCharsets.UTF_8);
        }
    }

    @BeforeAll
    void startSpeedLayer(StackEndpoints endpoints) throws Exception {
        stackDir = StackDirectory.of(endpoints);
        stack = PlatformConfig.load(null, stackDir);
        workDir = Files.createDirectories(Path.of("target", "it-speed", run)).toAbsolutePath();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()))) {
            admin.createTopics(List.of(
                    new NewTopic(topic, PARTITIONS, (short) 1).configs(Map.of("message.timestamp.type", "LogAppendTime")),
                    new NewTopic(deadLetterTopic, PARTITIONS, (short) 1))).all().get();
        }
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(), ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 5), new ByteArraySerializer(), new ByteArraySerializer());
        CassandraSettings cassandra = CassandraSettings.from(stack);
        session = cassandra.connect();
        ViewSchema.create(session, keyspace, 1);
        views = new CassandraSpeedViews(session, keyspace);
        speed = startSpeed("first");
    }

    @AfterAll
    void stopEverything() throws Exception {
        Resources.closeAll(speed, producer, session);
    }

    @Test
    @Order(1)
    void rowsEqualTheSumsOfTheFirstCopiesOfWhatWasSent() throws Exception {
        Instant now = Instant.now();
        for (int i = 0; i < 400; i++) {
            Instant eventTime = i % 10 == 0
                    ? now.minus(Duration.ofDays(3)).minusMillis(random.nextInt(3_600_000))
                    : now.minusMillis(random.nextInt(7_200_000));
            sendValid(new Sent(product(), "e" + i, random.nextInt(25_000) - 5_000, random.nextInt(10_000), eventTime.truncatedTo(ChronoUnit.MILLIS)));
        }
        List<Sent> sent = new ArrayList<>(firstCopies.values());
        for (int i = 0; i < 40; i++) {
            Sent original = sent.get(random.nextInt(sent.size()));
            sendValid(new Sent(original.productId(), original.eventId(), original.revenueCents() + 100, 1, original.eventTime()));
        }
        String p = products.get(0);
        for (int i = 0; i < 5; i++) {
            sendInvalid("malformed-json", p, ("{\"event_id\": \"x" + i).getBytes(StandardCharsets.UTF_8));
        }
        for (int i = 0; i < 3; i++) {
            sendInvalid("key-mismatch", products.get(1), new Sent(p, "km" + i, 100, 1, now).json());
        }
        for (int i = 0; i < 3; i++) {
            sendInvalid("missing-field", p, ("{\"event_id\":\"mf" + i + "\",\"product_id\":\"" + p + "\",\"revenue\":\"1.00\",\"duration_ms\":1}")
                    .getBytes(StandardCharsets.UTF_8));
        }
        for (int i = 0; i < 2; i++) {
            sendInvalid("invalid-value", p, ("{\"event_id\":\"iv" + i + "\",\"product_id\":\"" + p + "\",\"revenue\":\"1.234\","
                    + "\"duration_ms\":1,\"event_time\":\"" + now + "\"}").getBytes(StandardCharsets.UTF_8));
        }
        sendInvalid("empty", p, null);
        sendInvalid("empty", p, null);
        sendInvalid("not-utf8", p, new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'});
        producer.flush();
        Instant sentBy = Instant.now();

        awaitWatermarkAfter(sentBy);

        assertRowsEqualExpected();
        assertDeadLetters();
    }

    @Test
    @Order(2)
    void afterKillMinus9MidStreamAndARestartTheRowsAreExactAgain() throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread stream = new Thread(() -> {
            try {
                Instant now = Instant.now();
                List<Sent> streamed = new ArrayList<>();
                for (int i = 0; i < 30_000; i++) {
                    Sent event = i % 20 == 19 && !streamed.isEmpty()
                            ? streamed.get(random.nextInt(streamed.size()))
                            : new Sent(product(), "s" + i, random.nextInt(25_000) - 5_000, random.nextInt(10_000),
                                    now.minusMillis(random.nextInt(3_600_000)).truncatedTo(ChronoUnit.MILLIS));
                    streamed.add(event);
                    sendValid(event);
                    if (i % 500 == 499) {
                        producer.flush();
                        Thread.sleep(100);
                    }
                }
                producer.flush();
            }
            catch (Throwable e) {
                failure.set(e);
            }
        }, "it-speed-stream");
        stream.start();
        Thread.sleep(2_500);

        assertThat(stream.isAlive()).as("the stream of events is still being sent").isTrue();
        long killed = speed.pid();
        speed.kill();
        assertThat(speed.isAlive()).isFalse();
        speed = startSpeed("after-kill");
        assertThat(speed.pid()).isNotEqualTo(killed);

        stream.join(Duration.ofMinutes(2).toMillis());
        assertThat(failure.get()).isNull();
        Instant sentBy = Instant.now();

        awaitWatermarkAfter(sentBy);

        assertRowsEqualExpected();
        assertDeadLetters();
        assertThat(speed.stop(Duration.ofSeconds(60))).as("exit code after SIGTERM").isEqualTo(143);
    }

    private LayerProcess startSpeed(String name) {
        return LayerProcess.speed(stackDir, Map.of(
                "LAMBDA_KAFKA_EVENTS__TOPIC", topic,
                "LAMBDA_KAFKA_DEAD__LETTER__TOPIC", deadLetterTopic,
                "LAMBDA_CASSANDRA_KEYSPACE", keyspace,
                "LAMBDA_SPEED_APPLICATION__ID", "it-speed-" + run,
                "LAMBDA_SPEED_STATE__DIR", workDir.resolve("state").toString(),
                "LAMBDA_SPEED_CREATE__SCHEMA", "false"), workDir.resolve("speed-" + name + ".log"));
    }

    private void sendValid(Sent event) {
        firstCopies.putIfAbsent(event.productId() + "/" + event.eventId(), event);
        producer.send(new ProducerRecord<>(topic, event.productId().getBytes(StandardCharsets.UTF_8), event.json()));
    }

    private void sendInvalid(String reason, String key, byte[] value) {
        invalidSent.merge(reason, 1, Integer::sum);
        producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value));
    }

    private String product() {
        return products.get(random.nextInt(products.size()));
    }

    private void awaitWatermarkAfter(Instant sentBy) {
        await("the speed watermark of every partition passes " + sentBy + "; log " + speed.log()).atMost(WATERMARK_TIMEOUT)
                .pollInterval(Duration.ofMillis(500))
                .failFast("the speed layer exited; log " + speed.log(), () -> !speed.isAlive())
                // A read that timed out on the shared, busy Cassandra is asked again.
                .ignoreExceptionsInstanceOf(ViewStoreUnavailableException.class)
                .untilAsserted(() -> assertThat(views.progress()).as("speed progress").hasSize(PARTITIONS)
                        .allSatisfy(progress -> assertThat(progress.watermark()).isAfter(sentBy)));
    }

    /** Plain sums per (product, 5-minute window) of the first copies, against every row summed over its ingest buckets. */
    private void assertRowsEqualExpected() {
        Map<String, long[]> expected = new TreeMap<>();
        Instant earliest = Instant.MAX;
        Instant latest = Instant.MIN;
        for (Sent event : firstCopies.values()) {
            long window = Math.floorDiv(event.eventTime().toEpochMilli(), WINDOW_MILLIS) * WINDOW_MILLIS;
            long[] sums = expected.computeIfAbsent(event.productId() + " " + Instant.ofEpochMilli(window), k -> new long[3]);
            sums[0]++;
            sums[1] += event.revenueCents();
            sums[2] += event.durationMs();
            earliest = event.eventTime().isBefore(earliest) ? event.eventTime() : earliest;
            latest = event.eventTime().isAfter(latest) ? event.eventTime() : latest;
        }
        Map<String, long[]> actual = new TreeMap<>();
        for (String product : products) {
            for (SpeedDelta delta : views.read(product, earliest.minus(Duration.ofHours(1)), latest.plus(Duration.ofHours(1)))) {
                long[] sums = actual.computeIfAbsent(product + " " + delta.key().window().start(), k -> new long[3]);
                sums[0] += delta.metrics().eventCount();
                sums[1] += delta.metrics().revenue().movePointRight(2).longValueExact();
                sums[2] += delta.metrics().durationSumMs().longValueExact();
            }
        }
        assertThat(format(actual)).isEqualTo(format(expected));
        assertThat(expected).hasSizeGreaterThan(50);
    }

    private void assertDeadLetters() {
        Map<String, Integer> received = new TreeMap<>();
        int total = invalidSent.values().stream().mapToInt(Integer::intValue).sum();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
                ConsumerConfig.GROUP_ID_CONFIG, "it-speed-dlq-reader-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(deadLetterTopic));
            Instant deadline = Instant.now().plusSeconds(20);
            int count = 0;
            while (Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    received.merge(new String(record.headers().lastHeader("lambda.rejection.reason").value(), StandardCharsets.UTF_8), 1, Integer::sum);
                    count++;
                }
                if (count >= total && Instant.now().isAfter(deadline.minusSeconds(15))) {
                    break;
                }
            }
        }
        assertThat(received).isEqualTo(invalidSent);
        Map<String, Long> stored = new HashMap<>();
        for (DeadLetterCount count : views.deadLetters()) {
            stored.merge(count.reason().code(), count.count(), Long::sum);
        }
        Map<String, Long> sentAsLong = new TreeMap<>();
        invalidSent.forEach((reason, n) -> sentAsLong.put(reason, (long) n));
        assertThat(new TreeMap<>(stored)).isEqualTo(sentAsLong);
    }

    private static Map<String, String> format(Map<String, long[]> sums) {
        Map<String, String> formatted = new TreeMap<>();
        sums.forEach((key, value) -> formatted.put(key, value[0] + " events, " + BigDecimal.valueOf(value[1], 2) + ", " + value[2] + " ms"));
        return formatted;
    }

    private String bootstrap() {
        return stack.getString("lambda.kafka.bootstrap-servers");
    }
}
