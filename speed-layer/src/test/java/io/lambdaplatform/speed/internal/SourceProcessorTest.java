package io.lambdaplatform.speed.internal;

import io.lambdaplatform.model.Event;
import io.lambdaplatform.model.EventCodec;
import io.lambdaplatform.model.ReplayFeed;
import io.lambdaplatform.model.RuleSettings;
import io.lambdaplatform.speed.SpeedMetrics;
import io.lambdaplatform.viewstore.InMemorySpeedViews;
import io.lambdaplatform.viewstore.IngestHole;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SourceProcessorTest {

    private static final Instant INGEST = Instant.parse("2026-11-24T12:00:00Z");
    private static final Instant EVENT_TIME = Instant.parse("2026-11-24T10:00:00Z");

    private final InMemorySpeedViews views = new InMemorySpeedViews();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Map<Integer, Long> logStarts = new HashMap<>();
    private final MockProcessorContext<byte[], byte[]> context = new MockProcessorContext<>();
    private SourceProcessor processor;
    private PendingWrites pending;
    private SpeedMetrics metrics;
    private SourceLog log;

    @BeforeEach
    void start() {
        metrics = new SpeedMetrics(registry);
        KeyValueStore<Integer, SourcePosition> positions = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(SpeedStores.SOURCE_POSITIONS),
                Serdes.Integer(), SourcePosition.serde()).withLoggingDisabled().build();
        KeyValueStore<String, Long> deadLetters = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(SpeedStores.DEAD_LETTERS),
                Serdes.String(), Serdes.Long()).withLoggingDisabled().build();
        pending = new PendingWrites(PendingWrites.SOURCE_NAME, views, new DeltaWriter(metrics, 4, Duration.ofMillis(1), Duration.ofMillis(5)),
                () -> 1, () -> SourcePartitions.fixed(1), Duration.ofDays(7), Duration.ofMillis(1), Clock.systemUTC());
        positions.init(context.getStateStoreContext(), positions);
        deadLetters.init(context.getStateStoreContext(), deadLetters);
        pending.init(context.getStateStoreContext(), pending);
        context.addStateStore(positions);
        context.addStateStore(deadLetters);
        context.addStateStore(pending);
        log = new SourceLog() {
            @Override
            public long logStartOffset(int partition) {
                return logStarts.getOrDefault(partition, 0L);
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
        processor = processor(false);
    }

    /** A processor of partition 0 of the events topic, or of its replay feed, on the test's stores. */
    private SourceProcessor processor(boolean feed) {
        SourceProcessor made = new SourceProcessor("by-product", "dead-letters", CommitPace.every(Duration.ofSeconds(1)), 4096, log, new CaughtUpPartitions(),
                metrics, RuleSettings.NONE, "events", feed);
        made.init(context);
        return made;
    }

    @Test
    void recordsAJumpOverDeletedRecordsAsAHoleWithItsOffsetsAndIngestSpan() {
        read(0, INGEST);
        read(1, INGEST.plusSeconds(10));
        // Offsets 2..6 were deleted (deleteRecords up to 5, then records 5 and 6 aborted or compacted away): the hole is [2, 5).
        logStarts.put(0, 5L);
        read(7, INGEST.plusSeconds(70));
        pending.flushCache();

        assertThat(views.holes()).containsExactly(new IngestHole("speed", 0, 2, 5, INGEST.plusSeconds(10), INGEST.plusSeconds(70)));
        assertThat(registry.get("speed.holes").counter().count()).isEqualTo(1.0);
        assertThat(registry.get("speed.hole.records").counter().count()).isEqualTo(3.0);
    }

    @Test
    void aJumpOverOffsetsStillInTheLogIsNoHole() {
        read(0, INGEST);
        // A transaction marker at offset 1, and records 2-3 of an aborted transaction: skipped by read_committed, not deleted.
        read(4, INGEST.plusSeconds(1));
        pending.flushCache();

        assertThat(views.holes()).isEmpty();
        assertThat(context.forwarded("by-product")).hasSize(2);
    }

    @Test
    void sendsEventsWithThePartitionsRunningMaximumOfLogAppendTime() {
        read(0, INGEST.plusSeconds(30));
        read(1, INGEST.plusSeconds(10));

        assertThat(context.forwarded("by-product")).extracting(forward -> forward.record().timestamp())
                .containsExactly(INGEST.plusSeconds(30).toEpochMilli(), INGEST.plusSeconds(30).toEpochMilli());
        ByProduct second = ByProduct.decode(context.forwarded("by-product").get(1).record().value());
        assertThat(second).isEqualTo(new ByProduct.SourcedEvent(0, 1, INGEST.plusSeconds(30),
                Event.of("e1", "p1", "1.00", 1, EVENT_TIME)));
    }

    @Test
    void fromAReplayFeedTakesEachRecordsOffsetAndIngestTimeFromItsHeaderAndSkipsARecordTheFeedHoldsTwice() {
        SourceProcessor feed = processor(true);
        fromFeed(feed, 0, new ReplayFeed.Archived(5, INGEST.plusSeconds(30)));
        fromFeed(feed, 1, new ReplayFeed.Archived(6, INGEST.plusSeconds(10)));
        // The feed written again after a failed task: offsets 5 and 6 a second time, then the next one.
        fromFeed(feed, 2, new ReplayFeed.Archived(5, INGEST.plusSeconds(30)));
        fromFeed(feed, 3, new ReplayFeed.Archived(6, INGEST.plusSeconds(10)));
        fromFeed(feed, 4, new ReplayFeed.Archived(8, INGEST.plusSeconds(40)));

        assertThat(context.forwarded("by-product")).extracting(forward -> ByProduct.decode(forward.record().value()))
                .containsExactly(
                        new ByProduct.SourcedEvent(0, 5, INGEST.plusSeconds(30), Event.of("e5", "p1", "1.00", 1, EVENT_TIME)),
                        new ByProduct.SourcedEvent(0, 6, INGEST.plusSeconds(30), Event.of("e6", "p1", "1.00", 1, EVENT_TIME)),
                        new ByProduct.SourcedEvent(0, 8, INGEST.plusSeconds(40), Event.of("e8", "p1", "1.00", 1, EVENT_TIME)));
        pending.flushCache();
        assertThat(views.holes()).as("a gap in the feed's offsets is never judged against the live log").isEmpty();
    }

    @Test
    void aReplayFeedsHolesAreRecordedAndItsEndLetsTheEventsTopicGoOnWithoutAHole() {
        SourceProcessor feed = processor(true);
        fromFeed(feed, 0, new ReplayFeed.Hole(0, 3, Instant.EPOCH, INGEST));
        fromFeed(feed, 1, new ReplayFeed.Archived(3, INGEST));
        // Offsets 4 and 5: a transaction's commit marker and one aborted record; the archive ends at 6.
        fromFeed(feed, 2, new ReplayFeed.End(6, INGEST.plusSeconds(1)));
        // The events topic, from where the archive ended; retention deleted everything before it.
        logStarts.put(0, 6L);
        read(6, INGEST.plusSeconds(2));
        pending.flushCache();

        assertThat(views.holes()).containsExactly(new IngestHole("speed", 0, 0, 3, Instant.EPOCH, INGEST));
        assertThat(context.forwarded("by-product")).extracting(forward -> ByProduct.decode(forward.record().value()))
                .containsExactly(
                        new ByProduct.SourcedEvent(0, 3, INGEST, Event.of("e3", "p1", "1.00", 1, EVENT_TIME)),
                        new ByProduct.SourcedEvent(0, 6, INGEST.plusSeconds(2), Event.of("e6", "p1", "1.00", 1, EVENT_TIME)));
    }

    private void fromFeed(SourceProcessor feed, long feedOffset, ReplayFeed entry) {
        context.setRecordMetadata("events.replay-feed.v1", 0, feedOffset);
        RecordHeaders headers = new RecordHeaders();
        headers.add(entry.header().getKey(), entry.header().getValue());
        long offset = entry instanceof ReplayFeed.Archived archived ? archived.offset() : -1;
        byte[] value = offset < 0 ? null : EventCodec.encode(Event.of("e" + offset, "p1", "1.00", 1, EVENT_TIME));
        feed.process(new Record<>(offset < 0 ? null : "p1".getBytes(StandardCharsets.UTF_8), value, INGEST.plusSeconds(3600).toEpochMilli(), headers));
    }

    private void read(long offset, Instant logAppendTime) {
        context.setRecordMetadata("events", 0, offset);
        processor.process(new Record<>("p1".getBytes(StandardCharsets.UTF_8),
                EventCodec.encode(Event.of("e" + offset, "p1", "1.00", 1, EVENT_TIME)), logAppendTime.toEpochMilli()));
    }
}
