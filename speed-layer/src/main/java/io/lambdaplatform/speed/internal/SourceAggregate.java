package io.lambdaplatform.speed.internal;

import io.lambdaplatform.model.Metrics;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

import java.nio.ByteBuffer;
import java.util.Arrays;

import static java.util.Objects.requireNonNull;

/** An aggregate in the store, with the source offset of the last record folded into it: its write order. */
public record SourceAggregate(Metrics metrics, long lastOffset) {

    public SourceAggregate {
        requireNonNull(metrics, "metrics is null");
    }

    public static Serde<SourceAggregate> serde() {
        Serializer<Metrics> metrics = MetricsSerde.serde().serializer();
        Deserializer<Metrics> metricsBack = MetricsSerde.serde().deserializer();
        Serializer<SourceAggregate> serializer = (topic, aggregate) -> {
            if (aggregate == null) {
                return null;
            }
            byte[] body = metrics.serialize(topic, aggregate.metrics());
            return ByteBuffer.allocate(8 + body.length).putLong(aggregate.lastOffset()).put(body).array();
        };
        Deserializer<SourceAggregate> deserializer = (topic, data) -> data == null ? null
                : new SourceAggregate(metricsBack.deserialize(topic, Arrays.copyOfRange(data, 8, data.length)), ByteBuffer.wrap(data).getLong());
        return Serdes.serdeFrom(serializer, deserializer);
    }
}
