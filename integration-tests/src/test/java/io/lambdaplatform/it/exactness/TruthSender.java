package io.lambdaplatform.it.exactness;

import io.lambdaplatform.generator.GeneratedRecord;
import io.lambdaplatform.model.Event;
import io.lambdaplatform.model.EventCodec;
import io.lambdaplatform.model.IngestBuckets;
import io.lambdaplatform.model.RejectionReason;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sends records to the events topic with {@code acks=all} and idempotence, and tells the {@link Truth} about each one
 * as it is acknowledged — with its partition and LogAppendTime — so that the truth holds exactly what the brokers
 * hold. A broker restart delays sends, never fails them.
 */
public final class TruthSender implements AutoCloseable {

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final List<Truth> truths;
    /** The first failed acknowledgement, checked after the next flush. */
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final AtomicLong lastAppend = new AtomicLong();

    /** @param more further truths every acknowledged record is told to, e.g. under other rules */
    public TruthSender(Map<String, Object> clientProperties, String topic, Truth truth, Truth... more) {
        Map<String, Object> properties = new HashMap<>(clientProperties);
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        properties.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        properties.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000);
        properties.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 300_000);
        this.producer = new KafkaProducer<>(properties, new ByteArraySerializer(), new ByteArraySerializer());
        this.topic = topic;
        this.truths = new ArrayList<>(List.of(truth));
        this.truths.addAll(List.of(more));
    }

    /** Sends every record, at most {@code ratePerSecond} (0: as fast as possible), then flushes and checks every acknowledgement. */
    public void send(Iterator<GeneratedRecord> records, int ratePerSecond) throws InterruptedException {
        long sent = 0;
        long startNanos = System.nanoTime();
        while (records.hasNext()) {
            send(records.next());
            sent++;
            if (ratePerSecond > 0) {
                long waitNanos = startNanos + sent * 1_000_000_000L / ratePerSecond - System.nanoTime();
                if (waitNanos > 0) {
                    Thread.sleep(waitNanos / 1_000_000, (int) (waitNanos % 1_000_000));
                }
            }
        }
        flush();
    }

    /** Sends one generated record; its acknowledgement is checked by the next {@link #flush}. */
    public void send(GeneratedRecord record) {
        if (record.kind() == GeneratedRecord.Kind.INVALID) {
            send(record.key(), record.value(), metadata -> truths.forEach(truth -> truth.invalid(record.expectedReason().code(), metadata.partition(), metadata.timestamp())));
        }
        else {
            sendEvent(record.key(), record.value(), record.event());
        }
    }

    /** Sends one valid event keyed by its product. */
    public void sendEvent(Event event) {
        sendEvent(event.productId().getBytes(StandardCharsets.UTF_8), EventCodec.encode(event), event);
    }

    /** Sends a record that is not JSON: a dead letter that moves its partition's ingest clock. */
    public void sendMalformed(String key) {
        send(key.getBytes(StandardCharsets.UTF_8), "not json".getBytes(StandardCharsets.UTF_8),
                metadata -> truths.forEach(truth -> truth.invalid(RejectionReason.MALFORMED_JSON.code(), metadata.partition(), metadata.timestamp())));
    }

    /** Waits for every acknowledgement; fails if any record was refused. */
    public void flush() {
        producer.flush();
        assertThat(failure.get()).as("every record sent acknowledged").isNull();
    }

    /** The latest LogAppendTime the brokers gave so far. */
    public Instant lastAppend() {
        return Instant.ofEpochMilli(lastAppend.get());
    }

    /**
     * Lets the brokers' clock pass the first ingest-bucket start after the last append by the safety margin, then appends
     * one record (a dead letter) so that the brokers report that clock: the next batch cutoff, the bucket start at or
     * before that append less the margin ({@code IngestCutoff}), passes every event sent. The brokers run on this
     * machine's clock; a second more covers the rounding of their LogAppendTime and of the sleep. Waits up to a bucket
     * width and the margin, where a fixed sleep for the worst case took longer every time.
     *
     * @return the last append before the wait
     */
    public Instant awaitCutoffPassesEverything(IngestBuckets buckets, Duration safetyMargin) throws InterruptedException {
        flush();
        Instant before = lastAppend();
        Instant tickFrom = buckets.bucketStart(before).plus(buckets.width()).plus(safetyMargin).plusSeconds(1);
        long waitMillis = Duration.between(Instant.now(), tickFrom).toMillis();
        if (waitMillis > 0) {
            TimeUnit.MILLISECONDS.sleep(waitMillis);
        }
        sendMalformed("tick");
        flush();
        assertThat(buckets.bucketStart(lastAppend().minus(safetyMargin))).as("the cutoff the tick allows, after the last append %s", before)
                .isAfter(before);
        return before;
    }

    /** Sends the records from a thread of its own while the caller kills or restarts something. */
    public Background background(Iterator<GeneratedRecord> records, int ratePerSecond) {
        return new Background(records, ratePerSecond);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(30));
    }

    private void sendEvent(byte[] key, byte[] value, Event event) {
        truths.forEach(truth -> truth.sending(event.productId(), event.eventId()));
        Truth.SentEvent sent = new Truth.SentEvent(event.productId(), event.eventId(), event.userId(), event.revenue(),
                event.durationMs(), event.eventTime());
        send(key, value, metadata -> truths.forEach(truth -> truth.valid(sent, metadata.partition(), metadata.timestamp())));
    }

    private void send(byte[] key, byte[] value, Consumer<RecordMetadata> acknowledged) {
        producer.send(new ProducerRecord<>(topic, key, value), (metadata, exception) -> {
            // On the producer's I/O thread, where a failed assertion would never reach JUnit: flush() reports it.
            if (exception != null) {
                failure.compareAndSet(null, exception);
            }
            else {
                lastAppend.accumulateAndGet(metadata.timestamp(), Math::max);
                acknowledged.accept(metadata);
            }
        });
    }

    /** Records sent from a thread of their own. */
    public final class Background {
        private final Thread thread;
        private final AtomicReference<Throwable> threadFailure = new AtomicReference<>();

        private Background(Iterator<GeneratedRecord> records, int ratePerSecond) {
            thread = new Thread(() -> {
                try {
                    send(records, ratePerSecond);
                }
                catch (Throwable e) {
                    threadFailure.set(e);
                }
            }, "it-truth-sender");
            thread.start();
        }

        public boolean isSending() {
            return thread.isAlive();
        }

        /** Waits until every record is acknowledged; fails when the thread failed or outlasts the timeout. */
        public void await(Duration timeout) throws InterruptedException {
            thread.join(timeout.toMillis());
            assertThat(thread.isAlive()).as("all records sent within %s", timeout).isFalse();
            if (threadFailure.get() != null) {
                throw new AssertionError("Sending failed", threadFailure.get());
            }
        }
    }
}
