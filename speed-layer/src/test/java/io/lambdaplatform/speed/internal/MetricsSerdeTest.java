package io.lambdaplatform.speed.internal;

import io.lambdaplatform.model.Event;
import io.lambdaplatform.model.Metrics;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class MetricsSerdeTest {

    private final Serde<Metrics> serde = MetricsSerde.serde();

    @Test
    void anAggregateWithSketchesComesBackWithThem() {
        Metrics metrics = Metrics.EMPTY;
        for (int i = 0; i < 300; i++) {
            metrics = metrics.merge(Metrics.of(new Event("e-" + i, "p", i % 3 == 0 ? null : "u-" + i % 40, new BigDecimal("-1.25"), i * 11L,
                    Instant.EPOCH)));
        }

        Metrics back = roundTrip(metrics);

        assertThat(back).isEqualTo(metrics);
        assertThat(back.sketches().users().estimate()).isEqualTo(metrics.sketches().users().estimate());
        assertThat(back.sketches().durations().quantile(0.95)).isEqualTo(metrics.sketches().durations().quantile(0.95));
    }

    @Test
    void anAggregateWithoutSketchesKeepsTheLayoutEarlierReleasesWroteAndReads() {
        Metrics exact = new Metrics(3, new BigDecimal("12.34"), new BigInteger("98765432109876543210"));
        byte[] unscaled = new BigDecimal("12.34").unscaledValue().toByteArray();
        byte[] duration = new BigInteger("98765432109876543210").toByteArray();
        byte[] earlierRelease = ByteBuffer.allocate(16 + unscaled.length + duration.length)
                .putLong(3).putInt(2).putInt(unscaled.length).put(unscaled).put(duration).array();

        assertThat(serde.serializer().serialize("t", exact)).isEqualTo(earlierRelease);
        assertThat(serde.deserializer().deserialize("t", earlierRelease)).isEqualTo(exact);
    }

    private Metrics roundTrip(Metrics metrics) {
        return serde.deserializer().deserialize("t", serde.serializer().serialize("t", metrics));
    }
}
