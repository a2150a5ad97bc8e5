package io.lambdaplatform.generator;

import io.lambdaplatform.model.EventCodec;
import io.lambdaplatform.model.EventVerdict;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class EventGeneratorTest {

    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    private static final InstantSource CLOCK = InstantSource.fixed(NOW);

    @Test
    void theSameSeedGivesTheSameRecords() {
        GeneratorSettings settings = GeneratorSettings.defaults(2_000, 42);

        List<GeneratedRecord> first = generate(settings);
        List<GeneratedRecord> second = generate(settings);
        List<GeneratedRecord> other = generate(GeneratorSettings.defaults(2_000, 43));

        assertThat(first).hasSize(2_000);
        for (int i = 0; i < first.size(); i++) {
            assertThat(second.get(i).kind()).isEqualTo(first.get(i).kind());
            assertThat(second.get(i).value()).isEqualTo(first.get(i).value());
            assertThat(second.get(i).key()).isEqualTo(first.get(i).key());
        }
        assertThat(other.get(0).value()).isNotEqualTo(first.get(0).value());
    }

    @Test
    void theSameSeedStartAndRateGiveByteIdenticalRecordsAsTheCommandSendsThem() {
        // As ./lambda generate --seed 42 --start 2026-11-25T12:00:00Z --rate 100 builds them, on two runs far apart in time.
        GeneratorSettings settings = GeneratorSettings.defaults(500, 42);
        List<GeneratedRecord> first = new ArrayList<>();
        List<GeneratedRecord> second = new ArrayList<>();
        new EventGenerator(settings, RecordClock.forRate(NOW, 100)).forEachRemaining(first::add);
        new EventGenerator(settings, RecordClock.forRate(NOW, 100)).forEachRemaining(second::add);

        for (int i = 0; i < first.size(); i++) {
            assertThat(second.get(i).key()).isEqualTo(first.get(i).key());
            assertThat(second.get(i).value()).as("record %d", i).isEqualTo(first.get(i).value());
        }
        // The n-th record is generated as if at start + n × 10 ms: a current event is at most a minute older than that.
        int current = 0;
        for (int i = 0; i < first.size(); i++) {
            if (first.get(i).kind() == GeneratedRecord.Kind.VALID) {
                Instant generatedAt = NOW.plusMillis(10L * i);
                assertThat(first.get(i).event().eventTime()).as("record %d", i).isBetween(generatedAt.minusSeconds(60), generatedAt);
                current++;
            }
        }
        assertThat(current).isGreaterThan(400);
    }

    @Test
    void aRecordClockTicksOnceAStepPerReading() {
        RecordClock clock = RecordClock.forRate(NOW, 4);

        assertThat(List.of(clock.instant(), clock.instant(), clock.instant()))
                .containsExactly(NOW, NOW.plusMillis(250), NOW.plusMillis(500));
        assertThat(RecordClock.forRate(NOW, 0).instant()).isEqualTo(NOW);
        assertThatThrownBy(() -> RecordClock.forRate(NOW, -1)).hasMessage("rate must not be negative: -1.0");
    }

    @Test
    void everyRecordIsJudgedByThePlatformAsItsKindSays() {
        List<GeneratedRecord> records = generate(GeneratorSettings.defaults(20_000, 7).withFractions(0.1, 0.05, 0.05));

        for (GeneratedRecord record : records) {
            EventVerdict verdict = EventCodec.decode(record.key(), record.value());
            if (record.kind() == GeneratedRecord.Kind.INVALID) {
                assertThat(verdict).isInstanceOfSatisfying(EventVerdict.Invalid.class,
                        invalid -> assertThat(invalid.rejection().reason()).isEqualTo(record.expectedReason()));
            }
            else {
                assertThat(verdict).isEqualTo(EventVerdict.valid(record.event()));
            }
        }
    }

    @Test
    void mixesKindsInTheRequestedProportions() {
        List<GeneratedRecord> records = generate(GeneratorSettings.defaults(50_000, 1).withFractions(0.10, 0.04, 0.02));
        Map<GeneratedRecord.Kind, Integer> counts = new HashMap<>();
        records.forEach(record -> counts.merge(record.kind(), 1, Integer::sum));

        assertThat(counts.get(GeneratedRecord.Kind.INVALID) / 50_000.0).isCloseTo(0.02, within(0.004));
        assertThat(counts.get(GeneratedRecord.Kind.DUPLICATE) / 50_000.0).isCloseTo(0.04, within(0.005));
        assertThat(counts.get(GeneratedRecord.Kind.LATE) / 50_000.0).isCloseTo(0.094, within(0.01));
        assertThat(records.stream().filter(r -> r.kind() == GeneratedRecord.Kind.INVALID).map(GeneratedRecord::expectedReason).distinct())
                .hasSize(7);
    }

    @Test
    void duplicatesResendAnEarlierEventUnchangedAndNewEventsHaveNewIds() {
        List<GeneratedRecord> records = generate(GeneratorSettings.defaults(10_000, 5).withFractions(0.05, 0.2, 0));
        Set<String> seen = new HashSet<>();
        Map<String, byte[]> firstValue = new HashMap<>();

        for (GeneratedRecord record : records) {
            String id = record.event().eventId();
            if (record.kind() == GeneratedRecord.Kind.DUPLICATE) {
                assertThat(seen).contains(id);
                assertThat(record.value()).isEqualTo(firstValue.get(id));
            }
            else {
                assertThat(seen.add(id)).isTrue();
                firstValue.put(id, record.value());
            }
        }
    }

    @Test
    void eventTimesAreAroundNowOrLateByHoursToDays() {
        List<GeneratedRecord> records = generate(GeneratorSettings.defaults(5_000, 9));

        for (GeneratedRecord record : records) {
            if (record.kind() == GeneratedRecord.Kind.VALID) {
                assertThat(record.event().eventTime()).isBetween(NOW.minusSeconds(60), NOW);
            }
            else if (record.kind() == GeneratedRecord.Kind.LATE) {
                assertThat(record.event().eventTime()).isBetween(NOW.minus(Duration.ofDays(3)), NOW.minus(Duration.ofHours(1)));
            }
        }
    }

    @Test
    void productPopularityIsSkewed() {
        List<GeneratedRecord> records = generate(GeneratorSettings.defaults(20_000, 3).withFractions(0, 0, 0));
        Map<String, Integer> perProduct = new HashMap<>();
        records.forEach(record -> perProduct.merge(record.event().productId(), 1, Integer::sum));

        assertThat(perProduct.get("p-0000")).isGreaterThan(5 * perProduct.getOrDefault("p-0020", 1));
        assertThat(perProduct.keySet()).allMatch(product -> product.matches("p-00[0-4]\\d"));
    }

    @Test
    void refusesImpossibleSettings() {
        assertThatThrownBy(() -> GeneratorSettings.defaults(10, 1).withFractions(0, 0.7, 0.5))
                .hasMessage("duplicateFraction + invalidFraction must not exceed 1");
        assertThatThrownBy(() -> GeneratorSettings.defaults(10, 1).withProducts(0))
                .hasMessage("products must be between 1 and 1000000: 0");
    }

    private static List<GeneratedRecord> generate(GeneratorSettings settings) {
        List<GeneratedRecord> records = new ArrayList<>();
        new EventGenerator(settings, CLOCK).forEachRemaining(records::add);
        return records;
    }
}
