package io.lambdaplatform.speed;

import com.typesafe.config.ConfigFactory;
import io.lambdaplatform.model.Event;
import io.lambdaplatform.model.EventCodec;
import io.lambdaplatform.model.EventWindow;
import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.model.Metrics;
import io.lambdaplatform.model.Sketches;
import io.lambdaplatform.model.Rejection;
import io.lambdaplatform.model.RejectionReason;
import io.lambdaplatform.model.ViewKey;
import io.lambdaplatform.speed.internal.AggregateKey;
import io.lambdaplatform.speed.internal.ByProduct;
import io.lambdaplatform.speed.internal.CaughtUpPartitions;
import io.lambdaplatform.speed.internal.SourceAggregate;
import io.lambdaplatform.speed.internal.SourceLog;
import io.lambdaplatform.speed.internal.SourcePartitions;
import io.lambdaplatform.speed.internal.SourceProcessor;
import io.lambdaplatform.speed.internal.SpeedStores;
import io.lambdaplatform.viewstore.DeadLetterCount;
import io.lambdaplatform.viewstore.InMemorySpeedViews;
import io.lambdaplatform.viewstore.SpeedDelta;
import io.lambdaplatform.viewstore.SpeedProgress;
import io.lambdaplatform.viewstore.SpeedRow;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.tuple;

class SpeedTopologyTest {

    private static final Instant INGEST = Instant.parse("2026-11-24T12:00:00Z");
    private static final Instant EVENT_TIME = Instant.parse("2026-11-24T10:00:00Z");

    @TempDir
    Path stateDir;

    private final InMemorySpeedViews views = new InMemorySpeedViews();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final CaughtUpPartitions caughtUp = new CaughtUpPartitions();
    private SpeedConfig config;
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> events;
    private TestInputTopic<byte[], byte[]> byProduct;
    private TestOutputTopic<byte[], byte[]> deadLetters;

    @BeforeEach
    void startDriver() {
        startDriver(Map.of());
    }

    /** A driver of the topology with the test's settings and {@code more}. */
    private void startDriver(Map<String, String> more) {
        Map<String, String> settings = new HashMap<>(Map.of(
                "lambda.speed.retry-backoff", "5ms",
                "lambda.speed.max-retry-backoff", "20ms",
                "lambda.speed.progress-interval", "1ms",
                "lambda.speed.eviction-grace", "2m",
                "lambda.speed.dead-letter-max-bytes", "4096"));
        settings.putAll(more);
        config = SpeedConfig.from(ConfigFactory.parseMap(settings).withFallback(ConfigFactory.defaultReference()).resolve(), null)
                .withStateDir(stateDir);
        Properties properties = SpeedTopology.streamsProperties(config);
        properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        SourceLog log = new SourceLog() {
            @Override
            public long logStartOffset(int partition) {
                return 0;
            }

            @Override
            public int productTasks() {
                return 1;
            }

            @Override
            public SourcePartitions sourcePartitions() {
                return SourcePartitions.fixed(1);
            }
        };
        driver = new TopologyTestDriver(SpeedTopology.build(config, views, new SpeedMetrics(registry), log, caughtUp), properties,
                INGEST.minusSeconds(3600));
        events = driver.createInputTopic("events", new ByteArraySerializer(), new ByteArraySerializer());
        byProduct = driver.createInputTopic(SpeedTopology.byProductTopic(config.applicationId()), new ByteArraySerializer(),
                new ByteArraySerializer());
        deadLetters = driver.createOutputTopic("events.dlq", new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    @Test
    void aggregatesPerProductWindowAndIngestBucketWithExactCents() {
        send("e1", "p1", "19.99", 100, EVENT_TIME.plusSeconds(60), INGEST.plusSeconds(1));
        send("e2", "p1", "-5.01", 200, EVENT_TIME.plusSeconds(180), INGEST.plusSeconds(2));
        send("e3", "p1", "0.02", 300, EVENT_TIME.plusSeconds(299), INGEST.plusSeconds(3));
        send("e4", "p2", "1000000.10", 0, EVENT_TIME.plusSeconds(60), INGEST.plusSeconds(4));

        assertThat(rows()).containsExactly(
                entry(row("p1", EVENT_TIME, INGEST), metrics(3, "15.00", 600)),
                entry(row("p2", EVENT_TIME, INGEST), metrics(1, "1000000.10", 0)));
        assertThat(counter("speed.events.applied")).isEqualTo(4.0);
        assertThat(counter("speed.records.processed")).isEqualTo(4.0);
        assertThat(views.products()).containsExactly("p1", "p2");
    }

    @Test
    void keepsTheDistinctUsersAndDurationsOfEachRowAndADuplicateChangesNeither() {
        sendWithUser("e1", "p1", "alice", 100, EVENT_TIME, INGEST);
        sendWithUser("e2", "p1", "bob", 300, EVENT_TIME.plusSeconds(10), INGEST.plusSeconds(1));
        sendWithUser("e3", "p1", "alice", 200, EVENT_TIME.plusSeconds(20), INGEST.plusSeconds(2));
        sendWithUser("e4", "p1", null, 400, EVENT_TIME.plusSeconds(30), INGEST.plusSeconds(3));
        sendWithUser("e2", "p1", "bob", 300, EVENT_TIME.plusSeconds(10), INGEST.plusSeconds(4));

        Sketches row = sketches().get(row("p1", EVENT_TIME, INGEST));

        assertThat(rows()).containsExactly(entry(row("p1", EVENT_TIME, INGEST), metrics(4, "4.00", 1000)));
        assertThat(row.users().estimate()).isEqualTo(2);
        assertThat(row.durations().count()).isEqualTo(4);
        assertThat(row.durations().quantile(0.5)).isEqualTo(200);
        assertThat(row.durations().quantile(1.0)).isEqualTo(400);
    }

    @Test
    void eventsStraddlingWindowAndBucketBoundariesFallOnTheirSide() {
        Instant windowEnd = EVENT_TIME.plusSeconds(300);
        Instant bucketEnd = INGEST.plusSeconds(60);
        send("e1", "p1", "1.00", 10, windowEnd.minusMillis(1), bucketEnd.minusMillis(1));
        send("e2", "p1", "2.00", 20, windowEnd, bucketEnd.minusMillis(1));
        send("e3", "p1", "4.00", 40, windowEnd.minusMillis(1), bucketEnd);
        send("e4", "p1", "8.00", 80, windowEnd, bucketEnd);

        assertThat(rows()).containsExactly(
                entry(row("p1", EVENT_TIME, INGEST), metrics(1, "1.00", 10)),
                entry(row("p1", EVENT_TIME, bucketEnd), metrics(1, "4.00", 40)),
                entry(row("p1", windowEnd, INGEST), metrics(1, "2.00", 20)),
                entry(row("p1", windowEnd, bucketEnd), metrics(1, "8.00", 80)));
    }

    @Test
    void lateAndOutOfOrderEventsLandInTheirEventWindowAndTheirIngestBucket() {
        Instant daysOld = Instant.parse("2026-11-20T23:58:30Z");
        send("e1", "p1", "1.00", 1, EVENT_TIME.plusSeconds(420), INGEST.plusSeconds(1));
        send("e2", "p1", "2.00", 2, EVENT_TIME.plusSeconds(100), INGEST.plusSeconds(2));
        send("e3", "p1", "3.00", 3, daysOld, INGEST.plusSeconds(3));
        send("e4", "p1", "4.00", 4, EVENT_TIME.plusSeconds(480), INGEST.plusSeconds(4));
        send("e5", "p1", "5.00", 5, daysOld.plusSeconds(60), INGEST.plusSeconds(61));

        assertThat(rows()).containsExactly(
                entry(row("p1", Instant.parse("2026-11-20T23:55:00Z"), INGEST), metrics(1, "3.00", 3)),
                entry(row("p1", Instant.parse("2026-11-20T23:55:00Z"), INGEST.plusSeconds(60)), metrics(1, "5.00", 5)),
                entry(row("p1", EVENT_TIME, INGEST), metrics(1, "2.00", 2)),
                entry(row("p1", EVENT_TIME.plusSeconds(300), INGEST), metrics(2, "5.00", 5)));
    }

    @Test
    void dropsLaterCopiesWithinTheHorizonAndCountsCopiesBeyondIt() {
        send("e1", "p1", "1.00", 10, EVENT_TIME, INGEST);
        send("e1", "p1", "1.00", 10, EVENT_TIME, INGEST.plusSeconds(1));
        send("e1", "p1", "99.00", 999, EVENT_TIME.plusSeconds(400), INGEST.plus(Duration.ofHours(23)));
        send("e1", "p2", "2.00", 20, EVENT_TIME, INGEST.plusSeconds(2));
        send("e1", "p1", "1.00", 10, EVENT_TIME, INGEST.plus(Duration.ofHours(24)).plusSeconds(1));

        // p2's copy was appended after the record stamped INGEST + 23h: its ingest time is the partition's running maximum.
        assertThat(rows()).containsExactly(
                entry(row("p1", EVENT_TIME, INGEST), metrics(1, "1.00", 10)),
                entry(row("p1", EVENT_TIME, INGEST.plus(Duration.ofHours(24))), metrics(1, "1.00", 10)),
                entry(row("p2", EVENT_TIME, INGEST.plus(Duration.ofHours(23))), metrics(1, "2.00", 20)));
        assertThat(counter("speed.duplicates.dropped")).isEqualTo(2.0);
        assertThat(counter("speed.events.applied")).isEqualTo(3.0);
    }

    @Test
    void deadLettersEveryClassOfInvalidRecordWithItsReasonAndOriginalBytes() {
        Headers original = new RecordHeaders().add("trace", "t-1".getBytes(StandardCharsets.UTF_8));
        byte[] notJson = utf8("{\"event_id\": ");
        byte[] notUtf8 = {'{', (byte) 0xC3, (byte) 0x28, '}'};
        byte[] huge = new byte[2 * 1024 * 1024];
        Arrays.fill(huge, (byte) 'x');
        byte[] missingField = utf8("{\"event_id\":\"e1\",\"product_id\":\"p1\",\"revenue\":\"1.00\",\"duration_ms\":1}");
        byte[] wrongType = utf8("{\"event_id\":\"e1\",\"product_id\":\"p1\",\"revenue\":\"1.00\",\"duration_ms\":\"long\","
                + "\"event_time\":\"2026-11-24T10:00:00Z\"}");
        byte[] tooManyCents = utf8("{\"event_id\":\"e1\",\"product_id\":\"p1\",\"revenue\":\"1.999\",\"duration_ms\":1,"
                + "\"event_time\":\"2026-11-24T10:00:00Z\"}");
        byte[] valid = event("e1", "p1", "1.00", 1, EVENT_TIME);

        events.pipeInput(new TestRecord<>(utf8("p1"), notJson, original, INGEST));
        events.pipeInput(new TestRecord<>(utf8("p1"), notUtf8, new RecordHeaders(), INGEST.plusMillis(1)));
        events.pipeInput(new TestRecord<>(utf8("p1"), huge, new RecordHeaders(), INGEST.plusMillis(2)));
        events.pipeInput(new TestRecord<>(utf8("p1"), null, new RecordHeaders(), INGEST.plusMillis(3)));
        events.pipeInput(new TestRecord<>(utf8("p1"), missingField, new RecordHeaders(), INGEST.plusMillis(4)));
        events.pipeInput(new TestRecord<>(utf8("p1"), wrongType, new RecordHeaders(), INGEST.plusMillis(5)));
        events.pipeInput(new TestRecord<>(utf8("p1"), tooManyCents, new RecordHeaders(), INGEST.plusMillis(6)));
        events.pipeInput(new TestRecord<>(utf8("p2"), valid, new RecordHeaders(), INGEST.plusMillis(7)));
        events.pipeInput(new TestRecord<>(null, valid, new RecordHeaders(), INGEST.plusMillis(8)));
        send("e2", "p1", "3.00", 3, EVENT_TIME, INGEST.plusMillis(9));

        List<TestRecord<byte[], byte[]>> dead = deadLetters.readRecordsToList();
        assertThat(dead).extracting(record -> header(record, Rejection.REASON_HEADER)).containsExactly(
                "malformed-json", "not-utf8", "too-large", "empty", "missing-field", "wrong-type", "invalid-value",
                "key-mismatch", "key-mismatch");
        assertThat(dead).extracting(record -> header(record, SourceProcessor.SOURCE_OFFSET_HEADER))
                .containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8");
        assertThat(dead.get(0).value()).isEqualTo(notJson);
        assertThat(header(dead.get(0), "trace")).isEqualTo("t-1");
        assertThat(header(dead.get(0), SourceProcessor.SOURCE_TOPIC_HEADER)).isEqualTo("events");
        assertThat(dead.get(1).value()).isEqualTo(notUtf8);
        assertThat(dead.get(2).value()).hasSize(4096 - 2);
        assertThat(header(dead.get(2), SourceProcessor.ORIGINAL_BYTES_HEADER)).isEqualTo("2," + huge.length);
        assertThat(dead.get(3).value()).isNull();
        assertThat(header(dead.get(4), Rejection.DETAIL_HEADER)).isEqualTo("event_time: required");
        assertThat(dead.get(7).key()).isEqualTo(utf8("p2"));
        assertThat(dead.get(8).key()).isNull();

        assertThat(rows()).containsExactly(entry(row("p1", EVENT_TIME, INGEST), metrics(1, "3.00", 3)));
        assertThat(views.deadLetters()).containsExactlyInAnyOrder(
                new DeadLetterCount(0, RejectionReason.MALFORMED_JSON, 1),
                new DeadLetterCount(0, RejectionReason.NOT_UTF8, 1),
                new DeadLetterCount(0, RejectionReason.TOO_LARGE, 1),
                new DeadLetterCount(0, RejectionReason.EMPTY, 1),
                new DeadLetterCount(0, RejectionReason.MISSING_FIELD, 1),
                new DeadLetterCount(0, RejectionReason.WRONG_TYPE, 1),
                new DeadLetterCount(0, RejectionReason.INVALID_VALUE, 1),
                new DeadLetterCount(0, RejectionReason.KEY_MISMATCH, 2));
        assertThat(registry.get("speed.dead.letters").tag("reason", "key-mismatch").counter().count()).isEqualTo(2.0);
        assertThat(counter("speed.records.processed")).isEqualTo(10.0);
    }

    @Test
    void aConfiguredRuleDeadLettersTheValidEventsThatBreakItAndCountsTheRest() {
        driver.close();
        startDriver(Map.of("lambda.platform.mode", "kappa", "lambda.rules.max-duration", "2s"));

        send("e1", "p1", "1.00", 2_000, EVENT_TIME, INGEST);
        send("e2", "p1", "2.00", 2_001, EVENT_TIME, INGEST.plusMillis(1));
        send("e3", "p1", "4.00", 5, EVENT_TIME, INGEST.plusMillis(2));

        List<TestRecord<byte[], byte[]>> dead = deadLetters.readRecordsToList();
        assertThat(dead).extracting(record -> header(record, Rejection.REASON_HEADER)).containsExactly("rule");
        assertThat(header(dead.get(0), Rejection.DETAIL_HEADER)).isEqualTo("duration_ms: longer than lambda.rules.max-duration (2000 ms): 2001");
        assertThat(header(dead.get(0), SourceProcessor.SOURCE_OFFSET_HEADER)).isEqualTo("1");
        assertThat(rows()).containsExactly(entry(row("p1", EVENT_TIME, INGEST), metrics(2, "5.00", 2_005)));
        assertThat(views.deadLetters()).containsExactly(new DeadLetterCount(0, RejectionReason.RULE, 1));
    }

    @Test
    void recordsTheWatermarkAndCoverageOfThePartitionAfterItsWrites() {
        send("e1", "p1", "1.00", 1, EVENT_TIME, INGEST.plusSeconds(5));
        send("e2", "p1", "1.00", 1, EVENT_TIME, INGEST.plusSeconds(7));

        assertThat(views.progress()).isEmpty();

        driver.advanceWallClockTime(config.commitInterval());
        send("e3", "p2", "1.00", 1, EVENT_TIME, INGEST.plusSeconds(8));

        assertThat(views.progress()).singleElement().satisfies(progress -> {
            assertThat(progress.partition()).isZero();
            assertThat(progress.watermark()).isEqualTo(INGEST.plusSeconds(7));
            // The first record was at offset 0: nothing was ingested before it, so the rows cover all time.
            assertThat(progress.coveredSince()).isEqualTo(Instant.EPOCH);
            // ... and the partition's log begins with that record's ingest time
            assertThat(progress.logBegins()).isEqualTo(INGEST.plusSeconds(5));
            assertThat(progress.retention()).isEqualTo(Duration.ofDays(7));
        });
    }

    @Test
    void anIdleCaughtUpPartitionAdvancesToTheObservationLessTheSkew() {
        send("e1", "p1", "1.00", 1, EVENT_TIME, INGEST.plusSeconds(5));
        caughtUp.caughtUp(0, INGEST.plusSeconds(60), true);

        driver.advanceWallClockTime(config.commitInterval());
        send("e2", "p1", "1.00", 1, EVENT_TIME, INGEST.plusSeconds(61));

        assertThat(views.progress()).extracting(SpeedProgress::watermark).containsExactly(INGEST.plusSeconds(60));
    }

    @Test
    void whileCassandraIsDownNothingIsCommittedOrDroppedAndWritingResumesWhenItIsBack() throws Exception {
        send("e1", "p1", "1.00", 1, EVENT_TIME, INGEST);
        views.setUnavailable(true);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread sender = new Thread(() -> {
            try {
                send("e2", "p1", "2.50", 2, EVENT_TIME, INGEST.plusSeconds(1));
            }
            catch (Throwable e) {
                failure.set(e);
            }
        });
        sender.start();
        sender.join(500);

        assertThat(sender.isAlive()).isTrue();
        assertThat(rows()).containsExactly(entry(row("p1", EVENT_TIME, INGEST), metrics(1, "1.00", 1)));
        assertThat(counter("speed.cassandra.write.retries")).isGreaterThanOrEqualTo(2.0);

        views.setUnavailable(false);
        sender.join(10_000);

        assertThat(sender.isAlive()).isFalse();
        assertThat(failure.get()).isNull();
        assertThat(rows()).containsExactly(entry(row("p1", EVENT_TIME, INGEST), metrics(2, "3.50", 3)));
    }

    @Test
    void evictsFinishedBucketsOnceWrittenSoTheStoreStaysSmall() {
        for (int minute = 0; minute < 10; minute++) {
            send("e" + minute, "p1", "1.00", 1, EVENT_TIME, INGEST.plusSeconds(60L * minute));
        }

        KeyValueStore<AggregateKey, SourceAggregate> store = driver.getKeyValueStore(SpeedStores.AGGREGATES);
        List<Instant> buckets = new ArrayList<>();
        try (KeyValueIterator<AggregateKey, SourceAggregate> all = store.all()) {
            all.forEachRemaining((KeyValue<AggregateKey, SourceAggregate> kv) -> buckets.add(kv.key.ingestBucket()));
        }
        // Evicted by the partition's ingest time at the last punctuation (12:08), less the 2 minutes of grace.
        assertThat(buckets).containsExactly(INGEST.plusSeconds(360), INGEST.plusSeconds(420), INGEST.plusSeconds(480), INGEST.plusSeconds(540));
        assertThat(views.all()).hasSize(10);
        assertThat(rows().values()).allSatisfy(m -> assertThat(m).isEqualTo(metrics(1, "1.00", 1)));
    }

    @Test
    void oneProductOnTwoPartitionsIsSummedAndTheEarlierCopyWinsWhicheverArrivesFirst() {
        // Partition 0 (read by this topology's source task, offsets 0, 1, ...) and partition 1 (another source task, sent to the product task directly).
        send("a", "p1", "1.00", 10, EVENT_TIME, INGEST.plusSeconds(1));
        fromPartition1(0, "b", "p1", "2.00", 20, EVENT_TIME, INGEST.plusSeconds(2));
        // Copy of "c" from partition 1 arrives first, ingested later than partition 0's copy: it is counted, then taken back.
        fromPartition1(1, "c", "p1", "4.00", 40, EVENT_TIME, INGEST.plusSeconds(70));
        send("c", "p1", "4.00", 40, EVENT_TIME, INGEST.plusSeconds(3));
        // Copy of "d" from partition 0 arrives first and is earlier: partition 1's later copy is dropped.
        send("d", "p1", "8.00", 80, EVENT_TIME, INGEST.plusSeconds(4));
        fromPartition1(2, "d", "p1", "8.00", 80, EVENT_TIME, INGEST.plusSeconds(71));
        // Same ingest time on both partitions: the lower partition wins, here arriving second.
        fromPartition1(3, "e", "p1", "16.00", 160, EVENT_TIME, INGEST.plusSeconds(72));
        send("e", "p1", "16.00", 160, EVENT_TIME, INGEST.plusSeconds(72));

        assertThat(rows()).containsExactly(
                entry(row("p1", EVENT_TIME, INGEST), metrics(4, "15.00", 150)),
                entry(row("p1", EVENT_TIME, INGEST.plusSeconds(60)), metrics(1, "16.00", 160)));
        assertThat(views.rows()).filteredOn(SpeedRow::isCorrection)
                .extracting(SpeedRow::sourcePartition, SpeedRow::correction, SpeedRow::eventCount, SpeedRow::ingestBucket)
                .containsExactlyInAnyOrder(
                        tuple(1, "0@1", -1L, INGEST.plusSeconds(60)),
                        tuple(1, "0@3", -1L, INGEST.plusSeconds(60)));
        assertThat(counter("speed.copies.retracted")).isEqualTo(2.0);
        assertThat(counter("speed.duplicates.dropped")).isEqualTo(1.0);
    }

    @Test
    void eachRowIsWrittenWithTheOffsetOfItsLastRecordAsItsVersion() {
        send("a", "p1", "1.00", 10, EVENT_TIME, INGEST.plusSeconds(1));
        send("b", "p1", "1.00", 10, EVENT_TIME, INGEST.plusSeconds(2));
        fromPartition1(41, "c", "p1", "2.00", 20, EVENT_TIME, INGEST.plusSeconds(3));

        assertThat(views.rows()).extracting(SpeedRow::sourcePartition, SpeedRow::eventCount, SpeedRow::version)
                .containsExactly(tuple(0, 2L, 2L), tuple(1, 1L, 42L));
    }

    @Test
    void logAppendTimeSteppingBackIsBucketedByThePartitionsRunningMaximumWithNothingLostOrCountedTwice() {
        send("a", "p1", "1.00", 1, EVENT_TIME, INGEST.plusSeconds(50));
        send("b", "p1", "2.00", 2, EVENT_TIME, INGEST.plusSeconds(70));
        // The broker clock steps back 40 s: these records are ingested at the running maximum, 12:01:10.
        send("c", "p1", "4.00", 4, EVENT_TIME, INGEST.plusSeconds(30));
        send("a", "p1", "1.00", 1, EVENT_TIME, INGEST.plusSeconds(31));
        send("d", "p1", "8.00", 8, EVENT_TIME, INGEST.plusSeconds(75));

        assertThat(rows()).containsExactly(
                entry(row("p1", EVENT_TIME, INGEST), metrics(1, "1.00", 1)),
                entry(row("p1", EVENT_TIME, INGEST.plusSeconds(60)), metrics(3, "14.00", 14)));
        assertThat(counter("speed.ingest.time.regressions")).isEqualTo(2.0);
        assertThat(counter("speed.duplicates.dropped")).isEqualTo(1.0);
    }

    private void fromPartition1(long offset, String eventId, String productId, String revenue, long durationMs, Instant eventTime,
            Instant ingestTime) {
        Event event = Event.of(eventId, productId, revenue, durationMs, eventTime);
        byProduct.pipeInput(new TestRecord<>(utf8(productId), ByProduct.encode(new ByProduct.SourcedEvent(1, offset, ingestTime, event)),
                new RecordHeaders(), ingestTime));
    }

    private void send(String eventId, String productId, String revenue, long durationMs, Instant eventTime, Instant ingestTime) {
        events.pipeInput(new TestRecord<>(utf8(productId), event(eventId, productId, revenue, durationMs, eventTime),
                new RecordHeaders(), ingestTime));
    }

    private void sendWithUser(String eventId, String productId, String userId, long durationMs, Instant eventTime, Instant ingestTime) {
        Event event = new Event(eventId, productId, userId, BigDecimal.ONE, durationMs, eventTime);
        events.pipeInput(new TestRecord<>(utf8(productId), EventCodec.encode(event), new RecordHeaders(), ingestTime));
    }

    private static byte[] event(String eventId, String productId, String revenue, long durationMs, Instant eventTime) {
        return EventCodec.encode(Event.of(eventId, productId, revenue, durationMs, eventTime));
    }

    /** The exact measures of every stored (product, window, bucket); {@link #sketches()} has the rest. */
    private Map<String, Metrics> rows() {
        Map<String, Metrics> rows = new TreeMap<>();
        for (SpeedDelta delta : views.all()) {
            rows.put(row(delta.key().productId(), delta.key().window().start(), delta.ingestBucket()), delta.metrics().withSketches(null));
        }
        return rows;
    }

    private Map<String, Sketches> sketches() {
        Map<String, Sketches> sketches = new TreeMap<>();
        for (SpeedDelta delta : views.all()) {
            sketches.put(row(delta.key().productId(), delta.key().window().start(), delta.ingestBucket()), delta.metrics().sketches());
        }
        return sketches;
    }

    private static String row(String productId, Instant windowStart, Instant bucket) {
        return productId + " " + windowStart + " " + bucket;
    }

    private static ViewKey viewKey(String productId, Instant windowStart) {
        return new ViewKey(productId, new EventWindow(Granularity.FIVE_MINUTES, windowStart));
    }

    private static Metrics metrics(long count, String revenue, long durationSumMs) {
        return new Metrics(count, new BigDecimal(revenue), durationSumMs);
    }

    private double counter(String name) {
        return registry.get(name).counter().count();
    }

    private static String header(TestRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
