package io.lambdaplatform.batch;

import io.lambdaplatform.model.Event;
import io.lambdaplatform.model.EventCodec;
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
 * Loads N synthetic events into the {@code events} topic of a stack, for measuring the batch layer:
 * {@code java -cp ... io.lambdaplatform.batch.EventLoad STACK_DIR COUNT [SEED]}. One event in a thousand is
 * a duplicate of an earlier one and one in a thousand is invalid JSON, 1000 products, event times spread
 * over the last 24 hours. Prints what it sent.
 */
public final class EventLoad {

    private EventLoad() {}

    public static void main(String[] args) {
        Path stack = Path.of(args[0]);
        long count = Long.parseLong(args[1]);
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 42;
        BatchConfig config = BatchConfig.from(PlatformConfig.load(null, stack));
        SplittableRandom random = new SplittableRandom(seed);
        Instant now = Instant.now();
        long started = System.nanoTime();
        long invalid = 0;
        long duplicates = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (long i = 0; i < count; i++) {
                long id = i;
                if (i > 0 && random.nextInt(1000) == 0) {
                    id = random.nextLong(i);
                    duplicates++;
                }
                // Every field derives from the id, so a duplicate is an exact copy of its original.
                String product = "p-" + Math.floorMod(Long.hashCode(id * 2654435761L), 1000);
                byte[] value;
                if (id == i && random.nextInt(1000) == 0) {
                    value = "{\"event_id\": \"broken".getBytes(StandardCharsets.UTF_8);
                    invalid++;
                }
                else {
                    value = EventCodec.encode(eventOf(id, product, now));
                }
                producer.send(new ProducerRecord<>(config.kafka().eventsTopic(), product.getBytes(StandardCharsets.UTF_8), value));
            }
            producer.flush();
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        System.out.printf("Sent %d records (%d duplicates, %d invalid) to %s in %d ms%n",
                count, duplicates, invalid, config.kafka().eventsTopic(), took.toMillis());
    }

    private static Event eventOf(long id, String product, Instant now) {
        SplittableRandom fields = new SplittableRandom(id);
        BigDecimal revenue = BigDecimal.valueOf(fields.nextLong(-500, 10_000), 2);
        Instant eventTime = now.minusMillis(fields.nextLong(Duration.ofHours(24).toMillis()));
        return new Event("e-" + id, product, "u-" + fields.nextInt(10_000), revenue, fields.nextLong(60_000), eventTime);
    }
}
