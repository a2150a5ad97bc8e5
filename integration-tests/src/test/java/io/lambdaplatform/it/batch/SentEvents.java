package io.lambdaplatform.it.batch;

import io.lambdaplatform.model.Event;
import io.lambdaplatform.model.EventCodec;
import io.lambdaplatform.model.EventIdentity;
import io.lambdaplatform.model.Metrics;
import io.lambdaplatform.model.ViewKey;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;

/**
 * What a test sent to the topic, with the ingest time (LogAppendTime), partition and offset the broker gave
 * each record, so the test can say exactly which views a cutoff must produce.
 */
final class SentEvents implements AutoCloseable {

    private record Sent(Event event, Instant ingestTime, int partition, long offset) {}

    private final String topic;
    private final KafkaProducer<byte[], byte[]> producer;
    private final List<Sent> valid = new ArrayList<>();

    SentEvents(String bootstrapServers, String topic) {
        this.topic = topic;
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Sends a valid event (or another copy of one) and waits for the broker's acknowledgement. */
    Instant send(Event event) {
        RecordMetadata metadata = sendRaw(event.productId(), EventCodec.encodeToString(event));
        valid.add(new Sent(event, Instant.ofEpochMilli(metadata.timestamp()), metadata.partition(), metadata.offset()));
        return Instant.ofEpochMilli(metadata.timestamp());
    }

    /** Sends a record the batch layer must reject. */
    RecordMetadata sendRaw(String key, String value) {
        try {
            return producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8))).get();
        }
        catch (ExecutionException e) {
            throw new IllegalStateException("Cannot send to " + topic, e.getCause());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The views a batch with this cutoff must hold: first ingested copy of each event, merged per key. */
    Map<ViewKey, Metrics> expectedViews(Instant cutoff) {
        Map<EventIdentity, Sent> first = new HashMap<>();
        Comparator<Sent> ingestOrder = Comparator.comparing(Sent::ingestTime).thenComparingInt(Sent::partition).thenComparingLong(Sent::offset);
        for (Sent sent : valid) {
            if (sent.ingestTime().isBefore(cutoff)) {
                first.merge(sent.event().identity(), sent, (a, b) -> ingestOrder.compare(a, b) <= 0 ? a : b);
            }
        }
        Map<ViewKey, Metrics> views = new TreeMap<>();
        for (Sent sent : first.values()) {
            for (ViewKey key : ViewKey.allOf(sent.event())) {
                views.merge(key, Metrics.of(sent.event()), Metrics::merge);
            }
        }
        return views;
    }

    long expectedEvents(Instant cutoff) {
        return valid.stream().filter(sent -> sent.ingestTime().isBefore(cutoff)).map(sent -> sent.event().identity()).distinct().count();
    }

    @Override
    public void close() {
        producer.close();
    }
}
