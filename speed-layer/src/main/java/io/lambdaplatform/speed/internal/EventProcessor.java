package io.lambdaplatform.speed.internal;

import io.lambdaplatform.model.Event;
import io.lambdaplatform.model.EventCodec;
import io.lambdaplatform.model.EventVerdict;
import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.model.IngestBuckets;
import io.lambdaplatform.model.Metrics;
import io.lambdaplatform.model.Rejection;
import io.lambdaplatform.model.RejectionReason;
import io.lambdaplatform.model.ViewKey;
import io.lambdaplatform.speed.SpeedMetrics;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Every record of the events topic passes here: judged by {@link EventCodec}, dead-lettered with its
 * reason if invalid, dropped if a copy of an event seen within the horizon, otherwise merged into the
 * aggregate of its (ingest bucket, product, 5-minute window) and staged for writing. Nothing a record
 * contains can make this throw.
 */
public final class EventProcessor implements Processor<byte[], byte[], byte[], byte[]> {

    /** Headers added to a dead-lettered record, besides {@link Rejection#REASON_HEADER} and {@link Rejection#DETAIL_HEADER}. */
    public static final String SOURCE_TOPIC_HEADER = "lambda.source.topic";
    public static final String SOURCE_PARTITION_HEADER = "lambda.source.partition";
    public static final String SOURCE_OFFSET_HEADER = "lambda.source.offset";
    /** Set when the dead-lettered key and value were cut to fit: the original key and value sizes, "key,value". */
    public static final String ORIGINAL_BYTES_HEADER = "lambda.dlq.original-bytes";

    private static final Logger LOG = LoggerFactory.getLogger(EventProcessor.class);

    private final String deadLetterSink;
    private final IngestBuckets ingestBuckets;
    private final long dedupHorizonMillis;
    private final Duration evictionGrace;
    private final int deadLetterMaxBytes;
    private final SpeedMetrics metrics;

    private ProcessorContext<byte[], byte[]> context;
    private WindowStore<String, Long> seen;
    private KeyValueStore<AggregateKey, Metrics> aggregates;
    private KeyValueStore<String, Long> deadLetters;
    private PendingWrites pending;
    private Instant evictedBefore = Instant.MIN;

    public EventProcessor(String deadLetterSink, IngestBuckets ingestBuckets, Duration dedupHorizon, Duration evictionGrace,
            int deadLetterMaxBytes, SpeedMetrics metrics) {
        this.deadLetterSink = requireNonNull(deadLetterSink, "deadLetterSink is null");
        this.ingestBuckets = requireNonNull(ingestBuckets, "ingestBuckets is null");
        this.dedupHorizonMillis = dedupHorizon.toMillis();
        this.evictionGrace = requireNonNull(evictionGrace, "evictionGrace is null");
        this.deadLetterMaxBytes = deadLetterMaxBytes;
        this.metrics = requireNonNull(metrics, "metrics is null");
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.seen = context.getStateStore(SpeedStores.SEEN_EVENTS);
        this.aggregates = context.getStateStore(SpeedStores.AGGREGATES);
        this.deadLetters = context.getStateStore(SpeedStores.DEAD_LETTERS);
        this.pending = context.getStateStore(PendingWrites.NAME);
        context.schedule(ingestBuckets.width(), PunctuationType.STREAM_TIME, this::evictFinishedBuckets);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        Instant ingestTime = Instant.ofEpochMilli(record.timestamp());
        EventVerdict verdict = EventCodec.decode(record.key(), record.value());
        if (verdict instanceof EventVerdict.Valid valid) {
            apply(valid.event(), record);
        }
        else {
            deadLetter(record, ((EventVerdict.Invalid) verdict).rejection());
        }
        pending.applied(ingestTime, context.recordMetadata().map(metadata -> metadata.offset()).orElse(-1L));
        metrics.recordProcessed();
    }

    private void apply(Event event, Record<byte[], byte[]> record) {
        long ingestMillis = record.timestamp();
        String identity = event.identity().asKey();
        if (isDuplicate(identity, ingestMillis)) {
            metrics.duplicateDropped();
            return;
        }
        Instant ingestTime = Instant.ofEpochMilli(ingestMillis);
        AggregateKey key = new AggregateKey(ingestBuckets.bucketStart(ingestTime), ViewKey.of(event, Granularity.FIVE_MINUTES));
        Metrics current = aggregates.get(key);
        if (current == null && key.ingestBucket().isBefore(evictedBefore)) {
            metrics.ingestRegression();
            LOG.error("Record at {} of {} was ingested at {}, in bucket {} that was already evicted (the broker clock stepped back by "
                    + "more than the eviction grace): its speed row may now be short until the next batch run covers it",
                    offset(), identity, ingestTime, key.ingestBucket());
        }
        Metrics updated;
        try {
            updated = (current == null ? Metrics.EMPTY : current).merge(Metrics.of(event));
        }
        catch (ArithmeticException e) {
            deadLetter(record, new Rejection(RejectionReason.INVALID_VALUE, "aggregate overflow for " + key + ": " + e.getMessage()));
            return;
        }
        seen.put(identity, ingestMillis, ingestMillis);
        aggregates.put(key, updated);
        pending.stage(key, updated);
        pending.stageProduct(event.productId(), ingestTime);
        metrics.eventApplied();
    }

    /** A copy of the event was ingested less than the horizon before this one. */
    private boolean isDuplicate(String identity, long ingestMillis) {
        long from = Math.max(0, ingestMillis - dedupHorizonMillis + 1);
        try (WindowStoreIterator<Long> copies = seen.fetch(identity, from, ingestMillis)) {
            return copies.hasNext();
        }
    }

    private void deadLetter(Record<byte[], byte[]> record, Rejection rejection) {
        Headers headers = new RecordHeaders();
        for (Header header : record.headers()) {
            headers.add(header);
        }
        headers.add(Rejection.REASON_HEADER, utf8(rejection.reason().code()));
        headers.add(Rejection.DETAIL_HEADER, utf8(rejection.detail()));
        Optional<RecordMetadata> source = context.recordMetadata();
        source.ifPresent(metadata -> {
            headers.add(SOURCE_TOPIC_HEADER, utf8(metadata.topic()));
            headers.add(SOURCE_PARTITION_HEADER, utf8(Integer.toString(metadata.partition())));
            headers.add(SOURCE_OFFSET_HEADER, utf8(Long.toString(metadata.offset())));
        });
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
        context.forward(new Record<>(key, value, record.timestamp(), headers), deadLetterSink);

        String reason = rejection.reason().code();
        Long previous = deadLetters.get(reason);
        long total = (previous == null ? 0 : previous) + 1;
        deadLetters.put(reason, total);
        pending.stageDeadLetters(rejection.reason(), total);
        metrics.deadLettered(rejection.reason());
        LOG.debug("Dead-lettered record {}: {}", offset(), rejection);
    }

    /**
     * Ingest buckets that ended more than the eviction grace ago (in stream time) are final: records
     * arrive in ingest order. Once their aggregates are in Cassandra they leave the store, which so stays
     * small. An aggregate still staged for writing stays until a later round.
     */
    private void evictFinishedBuckets(long streamTime) {
        Instant horizon = ingestBuckets.bucketStart(Instant.ofEpochMilli(streamTime).minus(evictionGrace));
        List<AggregateKey> finished = new ArrayList<>();
        try (KeyValueIterator<AggregateKey, Metrics> all = aggregates.all()) {
            while (all.hasNext()) {
                KeyValue<AggregateKey, Metrics> entry = all.next();
                if (!entry.key.ingestBucket().isBefore(horizon)) {
                    break;
                }
                if (!pending.isStaged(entry.key)) {
                    finished.add(entry.key);
                }
            }
        }
        finished.forEach(aggregates::delete);
        if (horizon.isAfter(evictedBefore)) {
            evictedBefore = horizon;
        }
    }

    private String offset() {
        return context.recordMetadata().map(m -> m.topic() + "-" + m.partition() + "@" + m.offset()).orElse("(no source)");
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
