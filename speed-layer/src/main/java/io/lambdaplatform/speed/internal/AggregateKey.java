package io.lambdaplatform.speed.internal;

import io.lambdaplatform.model.EventWindow;
import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.model.ViewKey;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * What the speed layer aggregates by: the events of one source partition in one ingest bucket, one
 * product, one 5-minute event window. Only records of that one partition update the aggregate, in their
 * offset order. The serialized form starts with the source partition and the ingest bucket so that a
 * store iterates each partition's oldest buckets first, which is what eviction of finished buckets needs.
 */
public record AggregateKey(int sourcePartition, Instant ingestBucket, ViewKey viewKey) {

    public AggregateKey {
        requireNonNull(ingestBucket, "ingestBucket is null");
        requireNonNull(viewKey, "viewKey is null");
        if (sourcePartition < 0) {
            throw new IllegalArgumentException("sourcePartition must not be negative: " + sourcePartition);
        }
        if (viewKey.window().granularity() != Granularity.FIVE_MINUTES) {
            throw new IllegalArgumentException("Speed aggregates are kept at 5m, not " + viewKey.window().granularity());
        }
    }

    public static Serde<AggregateKey> serde() {
        return Serdes.serdeFrom(new KeySerializer(), new KeyDeserializer());
    }

    /** Big-endian with the sign bit flipped, so that byte order is numeric order, negative times included. */
    private static long sortable(long millis) {
        return millis ^ Long.MIN_VALUE;
    }

    private static final class KeySerializer implements Serializer<AggregateKey> {
        @Override
        public byte[] serialize(String topic, AggregateKey key) {
            if (key == null) {
                return null;
            }
            byte[] product = key.viewKey().productId().getBytes(StandardCharsets.UTF_8);
            return ByteBuffer.allocate(20 + product.length)
                    .putInt(key.sourcePartition())
                    .putLong(sortable(key.ingestBucket().toEpochMilli()))
                    .putLong(sortable(key.viewKey().window().start().toEpochMilli()))
                    .put(product)
                    .array();
        }
    }

    private static final class KeyDeserializer implements Deserializer<AggregateKey> {
        @Override
        public AggregateKey deserialize(String topic, byte[] data) {
            if (data == null) {
                return null;
            }
            ByteBuffer buffer = ByteBuffer.wrap(data);
            int partition = buffer.getInt();
            Instant bucket = Instant.ofEpochMilli(sortable(buffer.getLong()));
            Instant window = Instant.ofEpochMilli(sortable(buffer.getLong()));
            String product = new String(data, 20, data.length - 20, StandardCharsets.UTF_8);
            return new AggregateKey(partition, bucket, new ViewKey(product, new EventWindow(Granularity.FIVE_MINUTES, window)));
        }
    }
}
