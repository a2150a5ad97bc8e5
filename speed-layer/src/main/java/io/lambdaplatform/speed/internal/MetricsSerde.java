package io.lambdaplatform.speed.internal;

import io.lambdaplatform.model.Metrics;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;

/** The aggregate in a state store: count, the revenue's exact scale and unscaled digits, then the exact duration sum. */
public final class MetricsSerde {

    private MetricsSerde() {}

    public static Serde<Metrics> serde() {
        return Serdes.serdeFrom(new MetricsSerializer(), new MetricsDeserializer());
    }

    private static final class MetricsSerializer implements Serializer<Metrics> {
        @Override
        public byte[] serialize(String topic, Metrics metrics) {
            if (metrics == null) {
                return null;
            }
            byte[] unscaled = metrics.revenue().unscaledValue().toByteArray();
            byte[] durationSum = metrics.durationSumMs().toByteArray();
            return ByteBuffer.allocate(16 + unscaled.length + durationSum.length)
                    .putLong(metrics.eventCount())
                    .putInt(metrics.revenue().scale())
                    .putInt(unscaled.length)
                    .put(unscaled)
                    .put(durationSum)
                    .array();
        }
    }

    private static final class MetricsDeserializer implements Deserializer<Metrics> {
        @Override
        public Metrics deserialize(String topic, byte[] data) {
            if (data == null) {
                return null;
            }
            ByteBuffer buffer = ByteBuffer.wrap(data);
            long count = buffer.getLong();
            int scale = buffer.getInt();
            byte[] unscaled = new byte[buffer.getInt()];
            buffer.get(unscaled);
            byte[] durationSum = new byte[buffer.remaining()];
            buffer.get(durationSum);
            return new Metrics(count, new BigDecimal(new BigInteger(unscaled), scale), new BigInteger(durationSum));
        }
    }
}
