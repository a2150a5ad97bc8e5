package io.lambdaplatform.model;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MetricsTest {

    @Test
    void aggregatesEventsIntoCountRevenueAndDuration() {
        Metrics metrics = Metrics.of(Event.of("e1", "p1", "19.99", 1000, Instant.EPOCH))
                .merge(Metrics.of(Event.of("e2", "p1", "-5.00", 500, Instant.EPOCH)))
                .merge(Metrics.of(Event.of("e3", "p1", "0.01", 1, Instant.EPOCH)));

        assertThat(metrics.withSketches(null)).isEqualTo(new Metrics(3, new BigDecimal("15.00"), 1501));
        assertThat(metrics.sketches().users().isEmpty()).as("no event names a user").isTrue();
        assertThat(metrics.sketches().durations().count()).isEqualTo(3);
        assertThat(metrics.averageDurationMs()).isEqualTo(new BigDecimal("500.333"));
    }

    @Test
    void theAverageOfNothingIsZero() {
        assertThat(Metrics.EMPTY.averageDurationMs()).isEqualTo(new BigDecimal("0.000"));
        assertThat(Metrics.EMPTY.isEmpty()).isTrue();
    }

    @Test
    void revenueStaysExactOverMillionsOfAdditions() {
        Metrics cent = new Metrics(1, new BigDecimal("0.01"), 1);
        Metrics dime = new Metrics(1, new BigDecimal("0.10"), 1);
        Metrics total = Metrics.EMPTY;
        double naive = 0;
        for (int i = 0; i < 3_000_000; i++) {
            Metrics next = i % 2 == 0 ? cent : dime;
            total = total.merge(next);
            naive += i % 2 == 0 ? 0.01 : 0.10;
        }

        assertThat(total).isEqualTo(new Metrics(3_000_000, new BigDecimal("165000.00"), 3_000_000));
        assertThat(BigDecimal.valueOf(naive)).isNotEqualByComparingTo("165000.00");
    }

    @Test
    void sumsDurationsExactlyPastSixtyFourBits() {
        // 9.3 million events of the largest duration the event contract allows, in one window: the sum
        // passes Long.MAX_VALUE (9.22e18). Merged in halves, as any engine may group them.
        long events = 9_300_000;
        Metrics half = new Metrics(events / 2, BigDecimal.ZERO, BigInteger.valueOf(EventRules.MAX_DURATION_MS).multiply(BigInteger.valueOf(events / 2)));

        Metrics whole = half.merge(half);

        assertThat(whole.eventCount()).isEqualTo(events);
        assertThat(whole.durationSumMs()).isEqualTo(new BigInteger("9300000000000000000"));
        assertThat(whole.durationSumMs()).isGreaterThan(BigInteger.valueOf(Long.MAX_VALUE));
        assertThat(whole.averageDurationMs()).isEqualByComparingTo("1000000000000");
    }

    @Test
    void refusesToOverflowTheCountRatherThanWrapAround() {
        Metrics huge = new Metrics(Long.MAX_VALUE - 1, BigDecimal.ONE, 1);

        assertThatThrownBy(() -> huge.merge(huge)).isInstanceOf(ArithmeticException.class);
    }

    @Test
    void refusesNegativeCountsAndDurations() {
        assertThatThrownBy(() -> new Metrics(-1, BigDecimal.ONE, 0)).hasMessage("eventCount is negative: -1");
        assertThatThrownBy(() -> new Metrics(1, BigDecimal.ONE, -2)).hasMessage("durationSumMs is negative: -2");
        assertThatThrownBy(() -> new Metrics(1, new BigDecimal("0.001"), 0)).isInstanceOf(ArithmeticException.class);
        assertThatThrownBy(() -> new Metrics(0, new BigDecimal("0.01"), 0)).hasMessageContaining("An aggregate of no events");
    }

    @Property(tries = 500)
    void mergeIsAssociative(@ForAll("metrics") Metrics a, @ForAll("metrics") Metrics b, @ForAll("metrics") Metrics c) {
        assertThat(a.merge(b).merge(c)).isEqualTo(a.merge(b.merge(c)));
    }

    @Property(tries = 500)
    void mergeIsCommutative(@ForAll("metrics") Metrics a, @ForAll("metrics") Metrics b) {
        assertThat(a.merge(b)).isEqualTo(b.merge(a));
    }

    @Property(tries = 200)
    void emptyIsTheIdentity(@ForAll("metrics") Metrics a) {
        assertThat(a.merge(Metrics.EMPTY)).isEqualTo(a);
        assertThat(Metrics.EMPTY.merge(a)).isEqualTo(a);
    }

    @Property(tries = 200)
    void anyGroupingOfEventsGivesTheSameAggregate(@ForAll("events") List<Event> events) {
        Metrics leftToRight = events.stream().map(Metrics::of).reduce(Metrics.EMPTY, Metrics::merge);
        int half = events.size() / 2;
        Metrics halves = events.subList(0, half).stream().map(Metrics::of).reduce(Metrics.EMPTY, Metrics::merge)
                .merge(events.subList(half, events.size()).stream().map(Metrics::of).reduce(Metrics.EMPTY, Metrics::merge));
        BigDecimal revenue = events.stream().map(Event::revenue).reduce(BigDecimal.ZERO, BigDecimal::add);

        assertThat(halves).isEqualTo(leftToRight);
        assertThat(leftToRight.eventCount()).isEqualTo(events.size());
        assertThat(leftToRight.revenue()).isEqualByComparingTo(revenue);
        assertThat(leftToRight.durationSumMs()).isEqualTo(events.stream().mapToLong(Event::durationMs).sum());
        assertThat(leftToRight.sketches().users().estimate()).isEqualTo(events.stream().map(Event::userId).filter(Objects::nonNull).distinct().count());
        assertThat(leftToRight.sketches().durations().count()).isEqualTo(events.size());
    }

    @Property(tries = 200)
    void mergingAllAtOnceIsMergingOneByOne(@ForAll("events") List<Event> events) {
        List<Metrics> parts = events.stream().map(Metrics::of).toList();
        List<Metrics> withUnknown = new java.util.ArrayList<>(parts);
        withUnknown.add(new Metrics(1, BigDecimal.ONE, 1));

        assertThat(Metrics.mergeAll(parts)).isEqualTo(parts.stream().reduce(Metrics.EMPTY, Metrics::merge));
        assertThat(Metrics.mergeAll(withUnknown)).isEqualTo(withUnknown.stream().reduce(Metrics.EMPTY, Metrics::merge));
        assertThat(Metrics.mergeAll(List.of())).isEqualTo(Metrics.EMPTY);
    }

    @Property(tries = 200)
    void anAccumulatorGivesWhatMergingOneByOneGives(@ForAll("events") List<Event> events) {
        int half = events.size() / 2;
        Metrics firstHalf = events.subList(0, half).stream().map(Metrics::of).reduce(Metrics.EMPTY, Metrics::merge);
        Metrics.Accumulator accumulator = new Metrics.Accumulator();
        accumulator.add(firstHalf);
        Metrics takenBefore = accumulator.result();
        Metrics oneByOne = firstHalf;
        for (Event event : events.subList(half, events.size())) {
            accumulator.add(event);
            oneByOne = oneByOne.merge(Metrics.of(event));
        }
        accumulator.add(firstHalf);
        oneByOne = oneByOne.merge(firstHalf);

        assertThat(accumulator.result()).isEqualTo(oneByOne);
        assertThat(takenBefore).as("a result taken before more was added").isEqualTo(firstHalf);
        assertThat(new Metrics.Accumulator().result()).isEqualTo(Metrics.EMPTY);
    }

    @Test
    void anAccumulatorKeepsTheSketchesUnknownOnceAnAggregateWithoutThemIsAdded() {
        Metrics.Accumulator accumulator = new Metrics.Accumulator();
        accumulator.add(Event.of("e1", "p1", "1.00", 10, Instant.EPOCH));
        accumulator.add(new Metrics(2, new BigDecimal("3.00"), 20));
        accumulator.add(Metrics.of(Event.of("e2", "p1", "2.00", 5, Instant.EPOCH)));

        assertThat(accumulator.result()).isEqualTo(new Metrics(4, new BigDecimal("6.00"), 35));
    }

    @Test
    void anAccumulatorRefusesAnEventThatOverflowsTheCountAndKeepsWhatItHad() {
        Metrics nearlyFull = new Metrics(Long.MAX_VALUE, new BigDecimal("1.00"), 1).withSketches(Sketches.EMPTY);
        Metrics.Accumulator accumulator = new Metrics.Accumulator();
        accumulator.add(nearlyFull);

        assertThatThrownBy(() -> accumulator.add(Event.of("e1", "p1", "1.00", 10, Instant.EPOCH))).isInstanceOf(ArithmeticException.class);
        assertThat(accumulator.result()).isEqualTo(nearlyFull);
        assertThat(accumulator.result().sketches().durations().isEmpty()).isTrue();
    }

    @Test
    void aMergeWithAnAggregateWhoseSketchesAreNotKnownHasNone() {
        Metrics known = Metrics.of(Event.of("e1", "p1", "1.00", 10, Instant.EPOCH));
        Metrics legacy = new Metrics(2, new BigDecimal("3.00"), 20);

        assertThat(known.merge(legacy).sketches()).isNull();
        assertThat(legacy.merge(known).sketches()).isNull();
        assertThat(known.merge(legacy).withSketches(null)).isEqualTo(new Metrics(3, new BigDecimal("4.00"), 30));
        assertThat(Metrics.EMPTY.merge(legacy)).isEqualTo(legacy);
        assertThat(known.merge(Metrics.EMPTY)).isEqualTo(known);
    }

    @Provide
    Arbitrary<Metrics> metrics() {
        return Combinators.combine(
                Arbitraries.longs().between(0, 1_000_000_000L),
                Arbitraries.bigDecimals().between(new BigDecimal("-999999999999.99"), new BigDecimal("999999999999.99")).ofScale(2),
                Arbitraries.longs().between(0, 1_000_000_000_000L))
                .as((count, revenue, duration) -> count == 0 ? Metrics.EMPTY : new Metrics(count, revenue, duration));
    }

    @Provide
    Arbitrary<List<Event>> events() {
        Arbitrary<Event> event = Combinators.combine(
                Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(8),
                Arbitraries.bigDecimals().between(new BigDecimal("-99999.99"), new BigDecimal("99999.99")).ofScale(2),
                Arbitraries.longs().between(0, 10_000_000L),
                Arbitraries.longs().between(0, 4_000_000_000_000L),
                Arbitraries.of("u1", "u2", "u3").injectNull(0.3))
                .as((id, revenue, duration, millis, user) ->
                        new Event(id, "p1", user, revenue, duration, Instant.ofEpochMilli(millis)));
        return event.list().ofMaxSize(50);
    }
}
