package io.lambdaplatform.serving;

import io.lambdaplatform.model.DurationSketch;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QuantilesTest {

    @Test
    void labelsEachRankAsItsPercentile() {
        assertThat(Quantiles.parse("0.5,0.999,0,1,0.95,0.123456")).extracting(Quantiles::ranks).asList().hasSize(6);
        assertThat(Quantiles.label(new BigDecimal("0.5"))).isEqualTo("p50");
        assertThat(Quantiles.label(new BigDecimal("0.999"))).isEqualTo("p99.9");
        assertThat(Quantiles.label(new BigDecimal("0"))).isEqualTo("p0");
        assertThat(Quantiles.label(new BigDecimal("1"))).isEqualTo("p100");
        assertThat(Quantiles.label(new BigDecimal("0.123456"))).isEqualTo("p12.3456");
        assertThat(Quantiles.label(new BigDecimal("0.90"))).isEqualTo("p90");
    }

    @Test
    void answersTheAskedQuantilesInOrderAndNothingWithoutDurations() {
        DurationSketch durations = DurationSketch.EMPTY;
        for (long duration = 1; duration <= 100; duration++) {
            durations = durations.merge(DurationSketch.of(duration));
        }

        assertThat(Quantiles.parse("0.9, 0.1,0.9").of(durations)).containsExactly(Map.entry("p90", 90L), Map.entry("p10", 10L));
        assertThat(Quantiles.parse("0.5,0.50,0.500").ranks()).hasSize(1);
        assertThat(Quantiles.DEFAULT.of(durations)).containsExactly(Map.entry("p50", 50L), Map.entry("p95", 95L), Map.entry("p99", 99L));
        assertThat(Quantiles.DEFAULT.of(DurationSketch.EMPTY)).isNull();
        assertThat(Quantiles.DEFAULT.of(null)).isNull();
    }

    @Test
    void refusesWhatIsNotAFewRanksBetweenZeroAndOne() {
        for (String bad : new String[] {"", "1.01", "-0.1", "p99", "0.5;0.9", "0.1234567", "0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,0.91,0.92"}) {
            assertThatThrownBy(() -> Quantiles.parse(bad)).as(bad).isInstanceOfSatisfying(InvalidQueryException.class,
                    e -> assertThat(e.parameter()).isEqualTo("quantiles"));
        }
    }
}
