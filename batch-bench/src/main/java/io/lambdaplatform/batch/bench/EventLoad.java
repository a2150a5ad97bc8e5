package io.lambdaplatform.batch.bench;

import io.lambdaplatform.model.Event;
import io.lambdaplatform.model.EventCodec;
import io.lambdaplatform.model.config.KafkaSettings;
import io.lambdaplatform.model.config.PlatformConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Loads synthetic events into the {@code events} topic of a stack, for measuring the batch layer:
 * {@code java -cp ... io.lambdaplatform.batch.bench.EventLoad STACK_DIR COUNT [SEED]}. One event in a thousand is
 * a duplicate of an earlier one and one in a thousand is invalid JSON, 1000 products, event times spread
 * over the 24 hours before the load ({@link EventTimes#DAY}). Prints what it sent.
 */
public final class EventLoad {

    /** The value of an invalid record: JSON cut short. */
    static final byte[] BROKEN = "{\"event_id\": \"broken".getBytes(StandardCharsets.UTF_8);

    /** What one load sent. */
    record Sent(long records, long duplicates, long invalid, Duration took) {
        double recordsPerSecond() {
            return records * 1e9 / Math.max(1, took.toNanos());
        }
    }

    /**
     * When the events happened: spread evenly over {@code span} before the load, except one in {@code lateEvery}, spread
     * over the {@link #HISTORY} before it (late data). {@code lateEvery} 0: none late.
     */
    record EventTimes(Duration span, int lateEvery) {
        static final Duration HISTORY = Duration.ofHours(24);
        /** The first load: a day of events. */
        static final EventTimes DAY = new EventTimes(HISTORY, 0);

        /** The next {@code share} of a stream of which {@link #DAY} was a day, one event in a hundred late. */
        static EventTimes continuing(double share) {
            return new EventTimes(Duration.ofMillis(Math.max(1, Math.round(HISTORY.toMillis() * share))), 100);
        }

        Instant of(long id, SplittableRandom fields, Instant now) {
            boolean late = lateEvery > 0 && Math.floorMod(id, lateEvery) == 0;
            return now.minusMillis(fields.nextLong((late ? HISTORY : span).toMillis()));
        }
    }

    private EventLoad() {}

    public static void main(String[] args) {
        Path stack = Path.of(args[0]);
        long count = Long.parseLong(args[1]);
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 42;
        KafkaSettings kafka = KafkaSettings.from(PlatformConfig.load(null, stack));
        Sent sent = send(kafka, 0, count, seed, Instant.now(), EventTimes.DAY);
        System.out.printf("Sent %d records (%d duplicates, %d invalid) to %s in %d ms%n",
                sent.records(), sent.duplicates(), sent.invalid(), kafka.eventsTopic(), sent.took().toMillis());
    }

    /**
     * Sends events with ids {@code firstId} to {@code firstId + count - 1}, duplicates drawn from every id below the
     * current one; every field derives from the id, so a duplicate is an exact copy of its original.
     */
    static Sent send(KafkaSettings kafka, long firstId, long count, long seed, Instant now, EventTimes times) {
        SplittableRandom random = new SplittableRandom(seed);
        long started = System.nanoTime();
        long invalid = 0;
        long duplicates = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.clientProperties(Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4")), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (long i = firstId; i < firstId + count; i++) {
                long id = i;
                if (i > 0 && random.nextInt(1000) == 0) {
                    id = random.nextLong(i);
                    duplicates++;
                }
                String product = productOf(id);
                byte[] value;
                if (id == i && random.nextInt(1000) == 0) {
                    value = BROKEN;
                    invalid++;
                }
                else {
                    value = EventCodec.encode(eventOf(id, product, now, times));
                }
                producer.send(new ProducerRecord<>(kafka.eventsTopic(), product.getBytes(StandardCharsets.UTF_8), value));
            }
            producer.flush();
        }
        return new Sent(count, duplicates, invalid, Duration.ofNanos(System.nanoTime() - started));
    }

    /** Sends one invalid record, so that the brokers' newest LogAppendTime moves past everything sent before. */
    static void tick(KafkaSettings kafka) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.clientProperties(Map.of(ProducerConfig.ACKS_CONFIG, "all")),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(kafka.eventsTopic(), "bench-tick".getBytes(StandardCharsets.UTF_8), BROKEN));
            producer.flush();
        }
    }

    private static String productOf(long id) {
        return "p-" + Math.floorMod(Long.hashCode(id * 2654435761L), 1000);
    }

    private static Event eventOf(long id, String product, Instant now, EventTimes times) {
        SplittableRandom fields = new SplittableRandom(id);
        BigDecimal revenue = BigDecimal.valueOf(fields.nextLong(-500, 10_000), 2);
        Instant eventTime = times.of(id, fields, now);
        return new Event("e-" + id, product, "u-" + fields.nextInt(10_000), revenue, fields.nextLong(60_000), eventTime);
    }
}
