package io.lambdaplatform.speed.internal;

import io.lambdaplatform.model.EventWindow;
import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.model.Metrics;
import io.lambdaplatform.model.ViewKey;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

import static java.util.Objects.requireNonNull;

/**
 * The copy of an event the speed rows count: where it came from, its ingest time, and what it added to
 * which row, so that it can be taken back if an earlier copy arrives.
 *
 * @param metrics the exact measures the copy added, without sketches: a correction takes back only those
 */
public record CountedCopy(Instant ingestTime, int sourcePartition, long sourceOffset, Instant ingestBucket, ViewKey viewKey, Metrics metrics) {

    public CountedCopy {
        requireNonNull(ingestTime, "ingestTime is null");
        requireNonNull(ingestBucket, "ingestBucket is null");
        requireNonNull(viewKey, "viewKey is null");
        requireNonNull(metrics, "metrics is null");
    }

    public static Serde<CountedCopy> serde() {
        Serializer<Metrics> metrics = MetricsSerde.serde().serializer();
        Deserializer<Metrics> metricsBack = MetricsSerde.serde().deserializer();
        Serializer<CountedCopy> serializer = (topic, copy) -> {
            if (copy == null) {
                return null;
            }
            byte[] product = copy.viewKey().productId().getBytes(StandardCharsets.UTF_8);
            byte[] body = metrics.serialize(topic, copy.metrics());
            return ByteBuffer.allocate(40 + product.length + body.length)
                    .putLong(copy.ingestTime().toEpochMilli())
                    .putInt(copy.sourcePartition())
                    .putLong(copy.sourceOffset())
                    .putLong(copy.ingestBucket().toEpochMilli())
                    .putLong(copy.viewKey().window().start().toEpochMilli())
                    .putInt(product.length)
                    .put(product)
                    .put(body)
                    .array();
        };
        Deserializer<CountedCopy> deserializer = (topic, data) -> {
            if (data == null) {
                return null;
            }
            ByteBuffer buffer = ByteBuffer.wrap(data);
            Instant ingestTime = Instant.ofEpochMilli(buffer.getLong());
            int partition = buffer.getInt();
            long offset = buffer.getLong();
            Instant bucket = Instant.ofEpochMilli(buffer.getLong());
            Instant window = Instant.ofEpochMilli(buffer.getLong());
            byte[] product = new byte[buffer.getInt()];
            buffer.get(product);
            Metrics counted = metricsBack.deserialize(topic, Arrays.copyOfRange(data, buffer.position(), data.length));
            return new CountedCopy(ingestTime, partition, offset, bucket,
                    new ViewKey(new String(product, StandardCharsets.UTF_8), new EventWindow(Granularity.FIVE_MINUTES, window)), counted);
        };
        return Serdes.serdeFrom(serializer, deserializer);
    }
}
