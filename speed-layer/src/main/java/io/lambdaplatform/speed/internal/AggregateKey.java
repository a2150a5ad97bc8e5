package io.lambdaplatform.speed.internal;

import io.lambdaplatform.model.EventWindow;
import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.model.Metrics;
import io.lambdaplatform.model.ViewKey;
import io.lambdaplatform.viewstore.SpeedDelta;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * What the speed layer aggregates by: one ingest bucket, one product, one 5-minute event window. The
 * serialized form starts with the ingest bucket so that a store iterates oldest buckets first, which is
 * what eviction of finished buckets needs.
 */
public record AggregateKey(Instant ingestBucket, ViewKey viewKey) {

    public AggregateKey {
        requireNonNull(ingestBucket, "ingestBucket is null");
        requireNonNull(viewKey, "viewKey is null");
        if (viewKey.window().granularity() != Granularity.FIVE_MINUTES) {
            throw new IllegalArgumentException("Speed aggregates are kept at 5m, not " + viewKey.window().granularity());
        }
    }

    public SpeedDelta toDelta(Metrics metrics) {
        return new SpeedDelta(viewKey, ingestBucket, metrics);
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
            return ByteBuffer.allocate(16 + product.length)
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
            Instant bucket = Instant.ofEpochMilli(sortable(buffer.getLong()));
            Instant window = Instant.ofEpochMilli(sortable(buffer.getLong()));
            String product = new String(data, 16, data.length - 16, StandardCharsets.UTF_8);
            return new AggregateKey(bucket, new ViewKey(product, new EventWindow(Granularity.FIVE_MINUTES, window)));
        }
    }
}
