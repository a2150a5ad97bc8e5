package io.lambdaplatform.speed.internal;

import io.lambdaplatform.model.Event;
import io.lambdaplatform.model.EventWindow;
import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.model.IngestBuckets;
import io.lambdaplatform.model.Metrics;
import io.lambdaplatform.model.ViewKey;
import io.lambdaplatform.speed.SpeedMetrics;
import io.lambdaplatform.viewstore.InMemorySpeedViews;
import io.lambdaplatform.viewstore.SpeedProgress;
import io.lambdaplatform.viewstore.SpeedRow;
import io.lambdaplatform.viewstore.SpeedTaskProgress;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The product task between two commits. The topology test driver commits after each input record, so here one input
 * record carries many repartition messages, which reach the product task one by one within that one commit: rows stay
 * open in memory and reach the store, its changelog and Cassandra once, when {@link PendingWrites} flushes before the
 * commit.
 */
class ProductProcessorTest {

    private static final String APPLICATION = "product-processor-test";
    private static final String CHANGELOG = APPLICATION + "-" + SpeedStores.AGGREGATES + "-changelog";
    private static final Instant INGEST = Instant.parse("2026-11-24T12:00:01Z");
    private static final Instant BUCKET = Instant.parse("2026-11-24T12:00:00Z");
    private static final Instant WINDOW = Instant.parse("2026-11-24T10:00:00Z");

    @TempDir
    Path stateDir;

    private final InMemorySpeedViews views = new InMemorySpeedViews();
    private TopologyTestDriver driver;
    /** What the product task is told of the events topic; a test may grow it. */
    private SourcePartitions sourcePartitions = SourcePartitions.fixed(3);
    private TestInputTopic<byte[], byte[]> batches;
    private TestOutputTopic<byte[], byte[]> changelog;

    @BeforeEach
    void startDriver() {
        SpeedMetrics metrics = new SpeedMetrics(new SimpleMeterRegistry());
        DeltaWriter writer = new DeltaWriter(metrics, 4, Duration.ofMillis(1), Duration.ofMillis(5));
        Topology topology = new Topology();
        topology.addSource("batches", new ByteArrayDeserializer(), new ByteArrayDeserializer(), "batches");
        topology.addProcessor("unpack", Unpack::new, "batches");
        topology.addProcessor("products", () -> new ProductProcessor(new IngestBuckets(Duration.ofSeconds(10)), Duration.ofHours(1),
                Duration.ofMinutes(1), CommitPace.every(Duration.ofMillis(200)), metrics), "unpack");
        topology.addStateStore(SpeedStores.countedCopies(Duration.ofHours(1)), "products");
        topology.addStateStore(SpeedStores.aggregates(), "products");
        topology.addStateStore(SpeedStores.sourceIngest(), "products");
        topology.addStateStore(new PendingWritesBuilder(PendingWrites.PRODUCT_NAME, () -> new PendingWrites(PendingWrites.PRODUCT_NAME, views,
                writer, () -> 1, () -> sourcePartitions, Duration.ofDays(7), Duration.ofMillis(1), Clock.systemUTC())), "products");
        Properties properties = new Properties();
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION);
        properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        properties.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        properties.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        driver = new TopologyTestDriver(topology, properties, INGEST);
        batches = driver.createInputTopic("batches", new ByteArraySerializer(), new ByteArraySerializer());
        changelog = driver.createOutputTopic(CHANGELOG, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    @Test
    void aRowThatManyCopiesUpdateInOneCommitIsStoredLoggedAndWrittenOnce() {
        commit(copy(0, 10, event("e1", "p1", "1.50", 100, "u1")),
                copy(0, 11, event("e2", "p1", "2.25", 200, "u2")),
                copy(0, 12, event("e1", "p1", "1.50", 100, "u1")),
                copy(0, 13, event("e3", "p1", "-0.75", 300, "u1")),
                copy(0, 14, event("e4", "p2", "9.00", 400, "u9")));

        Metrics three = Metrics.mergeAll(List.of(Metrics.of(event("e1", "p1", "1.50", 100, "u1")),
                Metrics.of(event("e2", "p1", "2.25", 200, "u2")), Metrics.of(event("e3", "p1", "-0.75", 300, "u1"))));
        assertThat(views.rows()).containsExactlyInAnyOrder(
                SpeedRow.aggregate(viewKey("p1"), BUCKET, 0, three, 13),
                SpeedRow.aggregate(viewKey("p2"), BUCKET, 0, Metrics.of(event("e4", "p2", "9.00", 400, "u9")), 14));
        assertThat(stored(0, "p1")).isEqualTo(new SourceAggregate(three, 13));
        assertThat(changelog.readKeyValuesToList()).as("one changelog record per row and commit").hasSize(2);
        SpeedRow p1 = views.rows().stream().filter(row -> row.key().productId().equals("p1")).findFirst().orElseThrow();
        assertThat(p1.sketches().users().estimate()).isEqualTo(2);
        assertThat(p1.sketches().durations().count()).isEqualTo(3);
    }

    @Test
    void aRowGoesOnInTheNextCommitFromWhatTheStoreHolds() {
        commit(copy(1, 20, event("e1", "p1", "1.00", 10, "u1")));
        commit(copy(1, 21, event("e2", "p1", "2.00", 20, "u2")),
                copy(1, 22, event("e3", "p1", "3.00", 30, "u3")),
                copy(1, 23, event("e2", "p1", "2.00", 20, "u2")));

        assertThat(views.rows()).hasSize(1);
        SpeedRow row = views.rows().get(0);
        assertThat(row.eventCount()).isEqualTo(3);
        assertThat(row.revenue()).isEqualByComparingTo(new BigDecimal("6.00"));
        assertThat(row.version()).as("the offset after the last copy counted, not after the duplicate").isEqualTo(23);
        assertThat(row.sketches().users().estimate()).isEqualTo(3);
        assertThat(row.sketches().durations().count()).isEqualTo(3);
        SourceAggregate stored = stored(1, "p1");
        assertThat(SpeedRow.aggregate(viewKey("p1"), BUCKET, 1, stored.metrics(), stored.lastOffset())).isEqualTo(row);
        assertThat(changelog.readKeyValuesToList()).as("one record per commit that changed the row").hasSize(2);
    }

    @Test
    void moreOpenRowsThanTheBoundAreSettledEarlyAndARowOpenedAgainGoesOnFromWhatWasSettled() {
        int rows = ProductProcessor.MAX_OPEN_ROWS + 1;
        List<byte[]> copies = new ArrayList<>(rows + 1);
        for (int i = 0; i < rows; i++) {
            copies.add(copy(0, i, event("e" + i, "p" + i, "1.00", 1, null)));
        }
        // p0 was settled when the last row was opened: its second copy opens it again, from the store.
        copies.add(copy(0, rows, event("again", "p0", "2.00", 2, null)));
        commit(copies.toArray(byte[][]::new));

        assertThat(views.rows()).hasSize(rows);
        assertThat(views.rows().stream().filter(row -> row.key().productId().equals("p0")).findFirst().orElseThrow())
                .isEqualTo(SpeedRow.aggregate(viewKey("p0"), BUCKET, 0, Metrics.mergeAll(List.of(
                        Metrics.of(event("e0", "p0", "1.00", 1, null)), Metrics.of(event("again", "p0", "2.00", 2, null)))), rows));
        assertThat(views.rows()).filteredOn(row -> !row.key().productId().equals("p0"))
                .allSatisfy(row -> assertThat(row.eventCount()).isEqualTo(1));
        assertThat(stored(0, "p0").metrics().eventCount()).isEqualTo(2);
        assertThat(changelog.readKeyValuesToList()).as("the first MAX_OPEN_ROWS rows settled early, then the last row and p0 again")
                .hasSize(rows + 1);
    }

    @Test
    void theFirstProgressNamesTheSourcePartitionsNotHeardFromYetSoThatReadersDoNotLeaveThemOut() throws InterruptedException {
        commit(copy(0, 10, event("e1", "p1", "1.00", 10, "u1")), marker(0, 10, INGEST));

        assertThat(views.taskProgress()).extracting(SpeedTaskProgress::sourcePartition, SpeedTaskProgress::isNotYet)
                .containsExactlyInAnyOrder(tuple(0, false), tuple(1, true), tuple(2, true));
        assertThat(views.progress()).extracting(SpeedProgress::partition, SpeedProgress::isNotYet)
                .containsExactly(tuple(0, false), tuple(1, true), tuple(2, true));

        Thread.sleep(2);  // past the progress interval of 1 ms
        commit(marker(1, 4, INGEST.plusSeconds(1)));

        assertThat(views.progress()).extracting(SpeedProgress::partition, SpeedProgress::isNotYet, SpeedProgress::watermark)
                .containsExactly(tuple(0, false, INGEST), tuple(1, false, INGEST.plusSeconds(1)), tuple(2, true, SpeedTaskProgress.NOT_YET));
    }

    @Test
    void aPartitionAddedToTheTopicIsNamedNotHeardFromAndNoWatermarkPassesTheTimeTheCountIsCertainUntil() throws InterruptedException {
        sourcePartitions = new SourcePartitions(3, INGEST.plusSeconds(5));
        commit(marker(0, 10, INGEST.plusSeconds(9)), marker(1, 4, INGEST.plusSeconds(2)), marker(2, 7, INGEST.plusSeconds(9)));

        assertThat(views.progress()).extracting(SpeedProgress::partition, SpeedProgress::isNotYet, SpeedProgress::watermark)
                .containsExactly(tuple(0, false, INGEST.plusSeconds(5)), tuple(1, false, INGEST.plusSeconds(2)),
                        tuple(2, false, INGEST.plusSeconds(5)));

        Thread.sleep(2);  // past the progress interval of 1 ms
        sourcePartitions = new SourcePartitions(4, INGEST.plusSeconds(20));
        commit(marker(0, 11, INGEST.plusSeconds(10)));

        assertThat(views.progress()).extracting(SpeedProgress::partition, SpeedProgress::isNotYet, SpeedProgress::watermark)
                .containsExactly(tuple(0, false, INGEST.plusSeconds(10)), tuple(1, false, INGEST.plusSeconds(2)),
                        tuple(2, false, INGEST.plusSeconds(5)), tuple(3, true, SpeedTaskProgress.NOT_YET));
    }

    /** One input record whose repartition messages the product task processes before the driver commits. */
    private void commit(byte[]... messages) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            for (byte[] message : messages) {
                out.writeInt(message.length);
                out.write(message);
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        batches.pipeInput(new byte[0], bytes.toByteArray(), INGEST);
    }

    private static byte[] marker(int sourcePartition, long lastOffset, Instant watermark) {
        return ByProduct.encode(new ByProduct.Marker(sourcePartition, lastOffset, watermark, Instant.EPOCH, Instant.EPOCH));
    }

    private static byte[] copy(int sourcePartition, long offset, Event event) {
        return ByProduct.encode(new ByProduct.SourcedEvent(sourcePartition, offset, INGEST, event));
    }

    private SourceAggregate stored(int sourcePartition, String product) {
        KeyValueStore<AggregateKey, SourceAggregate> store = driver.getKeyValueStore(SpeedStores.AGGREGATES);
        return store.get(new AggregateKey(sourcePartition, BUCKET, viewKey(product)));
    }

    private static Event event(String id, String product, String revenue, long durationMs, String user) {
        return new Event(id, product, user, new BigDecimal(revenue), durationMs, WINDOW.plusSeconds(30));
    }

    private static ViewKey viewKey(String product) {
        return new ViewKey(product, new EventWindow(Granularity.FIVE_MINUTES, WINDOW));
    }

    /** Forwards each length-prefixed message of a record as a record of its own, keyed by nothing the product task reads. */
    private static final class Unpack implements Processor<byte[], byte[], byte[], byte[]> {

        private ProcessorContext<byte[], byte[]> context;

        @Override
        public void init(ProcessorContext<byte[], byte[]> context) {
            this.context = context;
        }

        @Override
        public void process(Record<byte[], byte[]> record) {
            ByteBuffer buffer = ByteBuffer.wrap(record.value());
            while (buffer.hasRemaining()) {
                byte[] message = new byte[buffer.getInt()];
                buffer.get(message);
                context.forward(new Record<>("key".getBytes(StandardCharsets.UTF_8), message, record.timestamp()));
            }
        }
    }
}
