package io.lambdaplatform.speed.internal;

import io.lambdaplatform.model.EventCodec;
import io.lambdaplatform.model.EventVerdict;
import io.lambdaplatform.model.ReplayFeed;
import io.lambdaplatform.model.Rejection;
import io.lambdaplatform.model.RuleSettings;
import io.lambdaplatform.speed.SpeedMetrics;
import io.lambdaplatform.viewstore.IngestHole;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The source task of one partition of the events topic. Every record is judged by {@link EventCodec}:
 * an invalid one is dead-lettered with its reason; a valid one is sent on, keyed by product, to the
 * product tasks with its source partition, offset and ingest time. The ingest time is the running
 * maximum of LogAppendTime over the partition up to the record, so it never goes back even when the
 * broker clock does. A jump over offsets that were deleted from the log before they were read is
 * recorded as a hole. Periodically, and when the partition is seen fully consumed, a progress marker
 * goes to every product task. Nothing a record contains can make this throw.
 *
 * <p>Reading a replay feed ({@link ReplayFeed}: the master dataset, partition for partition, before the events topic),
 * the task takes each record's offset and LogAppendTime from its header, so ingest times, holes and first copies are
 * the ones the live topic gives; holes are the ones the batch layer recorded, and a record at or below the last offset
 * it processed (the feed written again after a failure) is skipped. The feed's end of a partition moves its position to
 * where the archive ends, so the live topic goes on from there without a gap.
 */
public final class SourceProcessor implements Processor<byte[], byte[], byte[], byte[]> {

    /** Headers added to a dead-lettered record, besides {@link Rejection#REASON_HEADER} and {@link Rejection#DETAIL_HEADER}. */
    public static final String SOURCE_TOPIC_HEADER = "lambda.source.topic";
    public static final String SOURCE_PARTITION_HEADER = "lambda.source.partition";
    public static final String SOURCE_OFFSET_HEADER = "lambda.source.offset";
    /** Set when the dead-lettered key and value were cut to fit: the original key and value sizes, "key,value". */
    public static final String ORIGINAL_BYTES_HEADER = "lambda.dlq.original-bytes";

    private static final Logger LOG = LoggerFactory.getLogger(SourceProcessor.class);

    private final String byProductChild;
    private final String deadLetterChild;
    private final CommitPace pace;
    private final int deadLetterMaxBytes;
    private final SourceLog log;
    private final CaughtUpPartitions caughtUp;
    private final SpeedMetrics metrics;
    private final RuleSettings rules;
    private final String eventsTopic;
    private final boolean feed;

    private ProcessorContext<byte[], byte[]> context;
    private KeyValueStore<Integer, SourcePosition> positions;
    private KeyValueStore<String, Long> deadLetters;
    private PendingWrites pending;
    private int partition;
    private Instant lastMarker = Instant.MIN;
    /** The ingest time of the last record processed, which sets the {@link CommitPace}. */
    private Instant lastIngest;
    /**
     * What {@link #positions} holds for the partition, read once after {@link #init} (which Kafka Streams calls again
     * after it restored or rolled back the store) and then kept equal to it by every put: saves a store read per record.
     */
    private SourcePosition position;
    private boolean positionRead;

    /**
     * @param rules       the configured rules a valid event must also keep, else it is dead-lettered
     * @param eventsTopic the events topic, which dead-lettered records name as their source
     * @param feed        the task reads a replay feed, not the events topic
     */
    public SourceProcessor(String byProductChild, String deadLetterChild, CommitPace pace, int deadLetterMaxBytes, SourceLog log,
            CaughtUpPartitions caughtUp, SpeedMetrics metrics, RuleSettings rules, String eventsTopic, boolean feed) {
        this.byProductChild = requireNonNull(byProductChild, "byProductChild is null");
        this.deadLetterChild = requireNonNull(deadLetterChild, "deadLetterChild is null");
        this.pace = requireNonNull(pace, "pace is null");
        this.deadLetterMaxBytes = deadLetterMaxBytes;
        this.log = requireNonNull(log, "log is null");
        this.caughtUp = requireNonNull(caughtUp, "caughtUp is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.rules = requireNonNull(rules, "rules is null");
        this.eventsTopic = requireNonNull(eventsTopic, "eventsTopic is null");
        this.feed = feed;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.positions = context.getStateStore(SpeedStores.SOURCE_POSITIONS);
        this.deadLetters = context.getStateStore(SpeedStores.DEAD_LETTERS);
        this.pending = context.getStateStore(PendingWrites.SOURCE_NAME);
        this.partition = context.taskId().partition();
        this.position = null;
        this.positionRead = false;
        this.lastIngest = null;
        context.schedule(pace.interval(), PunctuationType.WALL_CLOCK_TIME, now -> sendMarker());
        pace.schedule(context, () -> lastIngest);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        if (feed) {
            processFeed(record);
            return;
        }
        long offset = context.recordMetadata().map(RecordMetadata::offset).orElse(-1L);
        process(record, offset, Instant.ofEpochMilli(record.timestamp()));
    }

    /** One record of the partition, at {@code offset} of the events topic, appended at {@code logAppendTime}. */
    private void process(Record<byte[], byte[]> record, long offset, Instant logAppendTime) {
        SourcePosition position = position();
        Instant ingestTime = position == null || logAppendTime.isAfter(position.ingestTime()) ? logAppendTime : position.ingestTime();
        if (position != null && logAppendTime.isBefore(position.ingestTime())) {
            metrics.ingestRegression();
        }
        if (!feed && position != null && offset > position.lastOffset() + 1) {
            checkForHole(position, offset, ingestTime);
        }
        Instant coveredSince = position != null ? position.coveredSince() : offset == 0 ? Instant.EPOCH : ingestTime;
        // Offset 0 is the partition's first record: nothing was ingested into it before.
        Instant logBegins = position != null ? position.logBegins() : offset == 0 ? ingestTime : Instant.EPOCH;
        savePosition(new SourcePosition(offset, ingestTime, coveredSince, logBegins));
        lastIngest = ingestTime;

        EventVerdict verdict = EventCodec.decode(record.key(), record.value());
        if (verdict instanceof EventVerdict.Valid valid && !rules.isNone()) {
            Optional<Rejection> broken = rules.check(valid.event());
            if (broken.isPresent()) {
                verdict = new EventVerdict.Invalid(broken.get());
            }
        }
        if (verdict instanceof EventVerdict.Valid valid) {
            byte[] value = ByProduct.encode(new ByProduct.SourcedEvent(partition, offset, ingestTime, valid.event()));
            context.forward(new Record<>(valid.event().productId().getBytes(StandardCharsets.UTF_8), value, ingestTime.toEpochMilli()),
                    byProductChild);
        }
        else {
            deadLetter(record, ((EventVerdict.Invalid) verdict).rejection(), offset, logAppendTime);
        }
        metrics.recordProcessed();
    }

    /** What a record of a replay feed says, from its Kafka headers ({@link ReplayFeed#read}). */
    public static Optional<ReplayFeed> feedEntry(Headers headers) {
        return ReplayFeed.read(name -> {
            Header header = headers.lastHeader(name);
            return header == null ? null : header.value();
        });
    }

    private void processFeed(Record<byte[], byte[]> record) {
        Optional<ReplayFeed> entry = feedEntry(record.headers());
        if (entry.isEmpty()) {
            LOG.error("Skipped a record of the replay feed at offset {} of partition {}: it has no valid {} header",
                    context.recordMetadata().map(RecordMetadata::offset).orElse(-1L), partition, ReplayFeed.ARCHIVED_HEADER);
            return;
        }
        SourcePosition position = position();
        long processed = position == null ? -1 : position.lastOffset();
        if (entry.get() instanceof ReplayFeed.Archived archived) {
            if (archived.offset() > processed) {
                process(record, archived.offset(), archived.ingestTime());
            }
        }
        else if (entry.get() instanceof ReplayFeed.Hole hole) {
            if (hole.toOffset() - 1 > processed) {
                IngestHole found = new IngestHole("speed", partition, hole.fromOffset(), hole.toOffset(), hole.fromIngest(), hole.toIngest());
                LOG.warn("The master dataset has a hole at offsets [{}, {}) of partition {} (ingested in [{}, {})): recorded for these"
                        + " views too", found.fromOffset(), found.toOffset(), partition, found.fromIngest(), found.toIngest());
                metrics.hole(found.toOffset() - found.fromOffset());
                pending.stageHole(found);
                savePosition(position == null
                        ? new SourcePosition(hole.toOffset() - 1, hole.fromIngest(), Instant.EPOCH, Instant.EPOCH)
                        : new SourcePosition(hole.toOffset() - 1, position.ingestTime(), position.coveredSince(), position.logBegins()));
            }
        }
        else if (entry.get() instanceof ReplayFeed.End end && end.toOffset() - 1 > processed) {
            // Offsets up to the end that held no record (transaction markers): the events topic goes on from the end.
            savePosition(position == null
                    ? new SourcePosition(end.toOffset() - 1, end.lastIngest(), Instant.EPOCH, Instant.EPOCH)
                    : new SourcePosition(end.toOffset() - 1, max(position.ingestTime(), end.lastIngest()), position.coveredSince(),
                            position.logBegins()));
        }
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    /**
     * Offsets were skipped: transaction markers and aborted records do that, and so do records deleted
     * before they were read. Only the log start offset tells them apart.
     */
    private void checkForHole(SourcePosition position, long offset, Instant ingestTime) {
        long expected = position.lastOffset() + 1;
        long logStart;
        try {
            logStart = log.logStartOffset(partition);
        }
        catch (RuntimeException e) {
            // Without the answer the gap cannot be judged; failing the task retries it from the last commit.
            throw new IllegalStateException("Cannot read the log start offset of partition " + partition + " to judge the jump from offset "
                    + position.lastOffset() + " to " + offset, e);
        }
        if (logStart > expected) {
            IngestHole hole = new IngestHole("speed", partition, expected, Math.min(logStart, offset), position.ingestTime(), ingestTime);
            LOG.error("Records at offsets [{}, {}) of partition {} were deleted from the log before the speed layer read them "
                    + "(retention or deleteRecords): events ingested in [{}, {}) are missing from the speed rows; recorded as a hole",
                    hole.fromOffset(), hole.toOffset(), partition, hole.fromIngest(), hole.toIngest());
            metrics.hole(hole.toOffset() - hole.fromOffset());
            pending.stageHole(hole);
        }
    }

    private SourcePosition position() {
        if (!positionRead) {
            position = positions.get(partition);
            positionRead = true;
        }
        return position;
    }

    private void savePosition(SourcePosition next) {
        positions.put(partition, next);
        position = next;
        positionRead = true;
    }

    /** Tells every product task how far this partition has been sent, when that moved since the last marker. */
    private void sendMarker() {
        SourcePosition position = position();
        Optional<CaughtUpPartitions.CaughtUp> idle = caughtUp.of(partition);
        Instant watermark = position == null ? null : position.ingestTime();
        Instant coveredSince = position == null ? null : position.coveredSince();
        Instant logBegins = position == null ? Instant.EPOCH : position.logBegins();
        if (idle.isPresent() && (watermark == null || idle.get().since().isAfter(watermark))) {
            watermark = idle.get().since();
            if (coveredSince == null) {
                coveredSince = idle.get().wholeLog() ? Instant.EPOCH : watermark;
                // An empty partition that never lost a record: nothing was ingested into it before now.
                logBegins = idle.get().wholeLog() ? watermark : Instant.EPOCH;
            }
        }
        if (watermark == null || !watermark.isAfter(lastMarker)) {
            return;
        }
        long lastOffset = position == null ? -1 : position.lastOffset();
        byte[] value = ByProduct.encode(new ByProduct.Marker(partition, lastOffset, watermark, coveredSince, logBegins));
        context.forward(new Record<>(ByProductPartitioner.MARKER_KEY, value, watermark.toEpochMilli()), byProductChild);
        lastMarker = watermark;
    }

    private void deadLetter(Record<byte[], byte[]> record, Rejection rejection, long offset, Instant logAppendTime) {
        Headers headers = new RecordHeaders();
        for (Header header : record.headers()) {
            if (!ReplayFeed.isFeedHeader(header.key())) {
                headers.add(header);
            }
        }
        headers.add(Rejection.REASON_HEADER, utf8(rejection.reason().code()));
        headers.add(Rejection.DETAIL_HEADER, utf8(rejection.detail()));
        // Where it is in the events topic, also when it was read from a replay feed.
        headers.add(SOURCE_TOPIC_HEADER, utf8(eventsTopic));
        headers.add(SOURCE_PARTITION_HEADER, utf8(Integer.toString(partition)));
        headers.add(SOURCE_OFFSET_HEADER, utf8(Long.toString(offset)));
        byte[] key = record.key();
        byte[] value = record.value();
        int keyBytes = key == null ? 0 : key.length;
        int valueBytes = value == null ? 0 : value.length;
        if (keyBytes + valueBytes > deadLetterMaxBytes) {
            headers.add(ORIGINAL_BYTES_HEADER, utf8(keyBytes + "," + valueBytes));
            int keptKey = Math.min(keyBytes, deadLetterMaxBytes / 2);
            key = key == null ? null : Arrays.copyOf(key, keptKey);
            value = value == null ? null : Arrays.copyOf(value, Math.min(valueBytes, deadLetterMaxBytes - keptKey));
        }
        context.forward(new Record<>(key, value, logAppendTime.toEpochMilli(), headers), deadLetterChild);

        String reason = rejection.reason().code();
        Long previous = deadLetters.get(reason);
        long total = (previous == null ? 0 : previous) + 1;
        deadLetters.put(reason, total);
        pending.stageDeadLetters(rejection.reason(), total, offset);
        metrics.deadLettered(rejection.reason());
        LOG.debug("Dead-lettered record {} of partition {}: {}", offset, partition, rejection);
    }

    /** Kafka Streams closes the processor before it rolls its stores back; the position held would be stale. */
    @Override
    public void close() {
        position = null;
        positionRead = false;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
