package io.lambdaplatform.speed.internal;

import io.lambdaplatform.model.DurationSketch;
import io.lambdaplatform.model.Metrics;
import io.lambdaplatform.model.Sketches;
import io.lambdaplatform.model.UserSketch;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;

/**
 * The aggregate in a state store: count, the revenue's scale and unscaled digits, the exact duration sum, then the
 * sketches when it has them.
 *
 * <p>Two layouts, told apart by the sign of the scale field (a revenue's scale is never negative):
 * <ul>
 *   <li>{@code count, scale, unscaled length, unscaled, duration sum} (to the end): an aggregate without sketches, as
 *       releases before the sketches wrote every aggregate; a store restored from their changelog reads these.</li>
 *   <li>{@code count, -(scale + 1), unscaled length, unscaled, duration length, duration sum, users length, users
 *       sketch, durations sketch} (to the end): an aggregate with sketches.</li>
 * </ul>
 */
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
            Sketches sketches = metrics.sketches();
            if (sketches == null) {
                return ByteBuffer.allocate(16 + unscaled.length + durationSum.length)
                        .putLong(metrics.eventCount())
                        .putInt(metrics.revenue().scale())
                        .putInt(unscaled.length)
                        .put(unscaled)
                        .put(durationSum)
                        .array();
            }
            ByteBuffer users = sketches.users().bytes();
            ByteBuffer durations = sketches.durations().bytes();
            return ByteBuffer.allocate(24 + unscaled.length + durationSum.length + users.remaining() + durations.remaining())
                    .putLong(metrics.eventCount())
                    .putInt(-(metrics.revenue().scale() + 1))
                    .putInt(unscaled.length)
                    .put(unscaled)
                    .putInt(durationSum.length)
                    .put(durationSum)
                    .putInt(users.remaining())
                    .put(users)
                    .put(durations)
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
            int scaleField = buffer.getInt();
            byte[] unscaled = bytes(buffer, buffer.getInt());
            if (scaleField >= 0) {
                BigInteger durationSum = new BigInteger(bytes(buffer, buffer.remaining()));
                return new Metrics(count, new BigDecimal(new BigInteger(unscaled), scaleField), durationSum);
            }
            BigInteger durationSum = new BigInteger(bytes(buffer, buffer.getInt()));
            UserSketch users = UserSketch.fromBytes(bytes(buffer, buffer.getInt()));
            DurationSketch durations = DurationSketch.fromBytes(bytes(buffer, buffer.remaining()));
            return new Metrics(count, new BigDecimal(new BigInteger(unscaled), -scaleField - 1), durationSum, new Sketches(users, durations));
        }

        private static byte[] bytes(ByteBuffer buffer, int length) {
            byte[] bytes = new byte[length];
            buffer.get(bytes);
            return bytes;
        }
    }
}
