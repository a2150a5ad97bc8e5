package io.lambdaplatform.serving.internal;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class IsoInstantsTest {

    @Test
    void writesWhatInstantToStringWrites() {
        for (String text : new String[] {"1970-01-01T00:00:00Z", "2024-02-29T23:59:59Z", "2026-11-24T10:05:00Z", "9999-12-31T23:59:59Z",
                "+10000-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "2026-11-24T10:05:00.001Z", "2026-11-24T10:05:00.000000001Z"}) {
            assertThat(IsoInstants.format(Instant.parse(text))).isEqualTo(text);
        }
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 100_000; i++) {
            Instant instant = Instant.ofEpochSecond(random.nextLong(-100_000_000_000L, 300_000_000_000L), i % 10 == 0 ? random.nextInt(1_000_000_000) : 0);
            assertThat(IsoInstants.format(instant)).as("%s", instant).isEqualTo(instant.toString());
        }
    }
}
