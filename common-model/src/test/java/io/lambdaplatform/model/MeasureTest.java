package io.lambdaplatform.model;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MeasureTest {

    private static final Event EVENT = Event.of("e-1", "p-1", "-19.90", 1534, Instant.parse("2026-11-24T10:15:30.123Z"));

    @Test
    void describesTheViewsMeasuresByColumnMergeFieldAndScale() {
        assertThat(Measure.values()).extracting(Measure::column).containsExactly("event_count", "revenue", "duration_sum_ms");
        assertThat(Measure.values()).extracting(Measure::merge).containsExactly(Measure.Merge.COUNT, Measure.Merge.SUM, Measure.Merge.SUM);
        assertThat(Measure.REVENUE.eventField()).isEqualTo(EventCodec.REVENUE);
        assertThat(Measure.DURATION_SUM_MS.eventField()).isEqualTo(EventCodec.DURATION_MS);
        assertThat(Measure.values()).extracting(Measure::scale).containsExactly(0, EventRules.REVENUE_SCALE, 0);
        assertThatThrownBy(Measure.EVENT_COUNT::eventField).hasMessageContaining("EVENT_COUNT counts events and takes no field");
    }

    @Test
    void takesEachMeasuresValueFromAnEvent() {
        assertThat(Measure.EVENT_COUNT.of(EVENT)).isEqualTo(BigDecimal.ONE);
        assertThat(Measure.REVENUE.of(EVENT)).isEqualTo(new BigDecimal("-19.90"));
        assertThat(Measure.DURATION_SUM_MS.of(EVENT)).isEqualTo(BigDecimal.valueOf(1534));
    }

    @Test
    void metricsFollowTheDescription() {
        Metrics one = Metrics.of(EVENT);
        Metrics two = one.merge(Metrics.of(EVENT.withRevenue(new BigDecimal("0.95"))));

        assertThat(one).isEqualTo(new Metrics(1, new BigDecimal("-19.90"), BigInteger.valueOf(1534), Sketches.of(EVENT)));
        for (Measure measure : Measure.values()) {
            assertThat(one.value(measure)).isEqualByComparingTo(measure.of(EVENT));
            assertThat(two.value(measure)).isEqualByComparingTo(measure.merge(measure.of(EVENT), measure.of(EVENT.withRevenue(new BigDecimal("0.95")))));
        }
        assertThat(two.withSketches(null)).isEqualTo(new Metrics(2, new BigDecimal("-18.95"), 3068));
        assertThat(Metrics.fromValues(two::value, two.sketches())).isEqualTo(two);
    }

    @Test
    void fromValuesRejectsACountThatIsNotAWholeLong() {
        assertThatThrownBy(() -> Metrics.fromValues(measure -> measure == Measure.EVENT_COUNT
                ? new BigDecimal(BigInteger.valueOf(Long.MAX_VALUE).add(BigInteger.ONE)) : BigDecimal.ZERO, null))
                .isInstanceOf(ArithmeticException.class);
    }
}
