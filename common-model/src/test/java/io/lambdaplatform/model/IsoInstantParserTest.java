package io.lambdaplatform.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.DateTimeException;
import java.time.Instant;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IsoInstantParserTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "2026-11-24T10:15:30.123Z", "2026-11-24T10:15:30Z", "2026-11-24T10:15:30.1Z", "2026-11-24T10:15:30.123456789Z",
            "2026-11-24T10:15:30.000000001Z", "1970-01-01T00:00:00Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z",
            "1969-12-31T23:59:59.5Z", "2024-02-29T12:00:00Z", "2000-02-29T00:00:00Z", "2026-12-31T23:59:59.99Z",
            // not the common form: Instant.parse decides
            "2026-11-24T11:15:30+01:00", "2026-11-24t10:15:30z", "2026-11-24T10:15:30.Z", "2026-11-24T23:59:60Z",
            "2026-11-24T24:00:00Z", "+12026-11-24T10:15:30Z"})
    void givesWhatInstantParseGives(String text) {
        assertThat(IsoInstantParser.parse(text)).isEqualTo(Instant.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "2026-02-29T10:15:30Z", "2026-04-31T10:15:30Z", "1900-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z",
            "2026-11-00T00:00:00Z", "2026-11-24T10:15Z", "2026-11-24T10:60:00Z", "2026-11-24T10:15:61Z", "2026-11-24T10:15:30.1234567890Z",
            "2026-11-24T10:15:30.12a4Z", "2026-11-24 10:15:30Z", "2026-11-24T10:15:30", "2026-1-24T10:15:30.123Z", "2026-11-24T10:15:3aZ",
            "20261124T101530Z", "", "yesterday", "2026-11-24T10:15:30.-12Z", "2026-11-24T10:15:30.12 Z"})
    void rejectsWhatInstantParseRejects(String text) {
        assertThatThrownBy(() -> Instant.parse(text)).isInstanceOf(DateTimeException.class);
        assertThatThrownBy(() -> IsoInstantParser.parse(text)).isInstanceOf(DateTimeException.class);
    }

    @Test
    void agreesWithInstantParseOnRandomTextsOfTheCommonShape() {
        Random random = new Random(7);
        int accepted = 0;
        for (int i = 0; i < 200_000; i++) {
            String text = randomText(random);
            Instant expected;
            try {
                expected = Instant.parse(text);
            }
            catch (DateTimeException e) {
                assertThatThrownBy(() -> IsoInstantParser.parse(text)).as(text).isInstanceOf(DateTimeException.class);
                continue;
            }
            assertThat(IsoInstantParser.parse(text)).as(text).isEqualTo(expected);
            accepted++;
        }
        // the generator mostly makes valid instants, so both paths are exercised
        assertThat(accepted).isBetween(100_000, 199_000);
    }

    /** yyyy-MM-ddTHH:mm:ss[.f…]Z with field values a little out of range now and then, and a character replaced now and then. */
    private static String randomText(Random random) {
        StringBuilder text = new StringBuilder();
        text.append(String.format(java.util.Locale.ROOT, "%04d-%02d-%02dT%02d:%02d:%02d", random.nextInt(10_000), random.nextInt(14),
                random.nextInt(33), random.nextInt(26), random.nextInt(62), random.nextInt(62)));
        int fraction = random.nextInt(12);
        if (fraction > 0) {
            text.append('.');
            for (int i = 1; i < fraction; i++) {
                text.append((char) ('0' + random.nextInt(10)));
            }
        }
        text.append('Z');
        if (random.nextInt(20) == 0) {
            text.setCharAt(random.nextInt(text.length()), "0123456789:-.TZtz+ ".charAt(random.nextInt(19)));
        }
        return text.toString();
    }
}
