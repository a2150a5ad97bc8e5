package io.lambdaplatform.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link EventCodec#decode(byte[])} reads well-formed events token by token and leaves everything else to the tree
 * path: both must give the same verdict for every value.
 */
class EventCodecWellFormedPathTest {

    private static final String[] REVENUES = {"\"19.99\"", "19.99", "12", "19.990", "1E+2", "-0.0", "\"-999999999999.99\"", "0.001", "\"1e3\"",
            "1000000000000", "-1E+999999", "99999999999999999999999", "true", "null", "\"12,50\"", "[1]", "{\"a\":1}", "1.5e-1", "-5.5"};
    private static final String[] DURATIONS = {"1534", "0", "-1", "1.5", "\"15\"", "1000000000001", "99999999999999999999", "null", "1e3"};
    private static final String[] EVENT_TIMES = {"\"2026-11-24T10:15:30.123Z\"", "1764000000123", "\"2026-11-24T11:15:30+01:00\"", "-1",
            "\"2026-02-30T00:00:00Z\"", "\"yesterday\"", "1.5", "null", "\"2026-11-24t10:15:30z\"", "99999999999999999999", "253402300800000"};
    private static final String[] USERS = {"", "\"user_id\":\"u-7\",", "\"user_id\":null,", "\"user_id\":7,", "\"user_id\":{},"};
    private static final String[] EXTRAS = {"", "\"campaign\":{\"id\":7,\"tags\":[1,{\"x\":null}]},", "\"n\":[],", "\"event_id2\":\"x\","};

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"event_id\":\"e1\",\"product_id\":\"p1\",\"revenue\":\"1\",\"duration_ms\":1,\"event_time\":0}",
            "{\"event_id\":\"e1\",\"event_id\":\"e2\",\"product_id\":\"p1\",\"revenue\":\"1\",\"duration_ms\":1,\"event_time\":0}",
            "{\"event_id\":\"e1\",\"product_id\":\"p1\",\"revenue\":\"1\",\"duration_ms\":1,\"event_time\":0} {}",
            "{\"event_id\":\"e1\",\"product_id\":\"p1\",\"revenue\":\"1\",\"duration_ms\":1,\"event_time\":0} x",
            "{\"event_id\":\"e1\",\"product_id\":\"p1\",\"revenue\":\"1\",\"duration_ms\":1,\"event_time\":0,\"x\":{\"a\":1,\"a\":2}}",
            "{\"event\\u005fid\":\"e\\u00e9\",\"product_id\":\"p1\",\"revenue\":\"1\",\"duration_ms\":1,\"event_time\":0}",
            "\uFEFF{\"event_id\":\"e1\",\"product_id\":\"p1\",\"revenue\":\"1\",\"duration_ms\":1,\"event_time\":0}",
            "[{\"event_id\":\"e1\"}]", "[1,2", "42", "\"text\"", "null", "   ", "{", "{}", "{\"event_id\":\"e1\"", "{\"product_id\":\"p 1\"}",
            "{\"event_id\":\"\",\"product_id\":\"p1\",\"revenue\":\"1\",\"duration_ms\":1,\"event_time\":0}",
            "{\"event_id\":\"e1\",\"product_id\":\"p/1\",\"revenue\":\"1\",\"duration_ms\":1,\"event_time\":0}"})
    void givesTheTreePathsVerdict(String json) {
        byte[] value = json.getBytes(StandardCharsets.UTF_8);

        assertThat(EventCodec.decode(value)).isEqualTo(EventCodec.decodeTree(value));
    }

    @Test
    void givesTheTreePathsVerdictOnGeneratedAndDamagedValues() {
        Random random = new Random(11);
        int valid = 0;
        int invalid = 0;
        for (String json : generated(random)) {
            List<byte[]> values = new ArrayList<>();
            values.add(json.getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < 3; i++) {
                values.add(damaged(json, random).getBytes(StandardCharsets.UTF_8));
            }
            for (byte[] value : values) {
                EventVerdict expected = EventCodec.decodeTree(value);
                assertThat(EventCodec.decode(value)).as(new String(value, StandardCharsets.UTF_8)).isEqualTo(expected);
                if (expected instanceof EventVerdict.Valid) {
                    valid++;
                }
                else {
                    invalid++;
                }
            }
        }
        // both verdicts are exercised in numbers
        assertThat(valid).isGreaterThan(2_000);
        assertThat(invalid).isGreaterThan(20_000);
    }

    private static List<String> generated(Random random) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < 8_000; i++) {
            String eventId = random.nextInt(20) == 0 ? "42" : "\"e-" + Integer.toHexString(random.nextInt()) + (random.nextInt(10) == 0 ? "\\n\\u00fc" : "") + "\"";
            String productId = random.nextInt(20) == 0 ? "\"p 1\"" : "\"p-" + random.nextInt(100) + "\"";
            List<String> fields = new ArrayList<>(List.of(
                    "\"event_id\":" + eventId,
                    "\"product_id\":" + productId,
                    "\"revenue\":" + (random.nextInt(3) == 0 ? pick(REVENUES, random) : String.format(Locale.ROOT, "\"%d.%02d\"", random.nextInt(1000) - 500, random.nextInt(100))),
                    "\"duration_ms\":" + (random.nextInt(3) == 0 ? pick(DURATIONS, random) : Integer.toString(random.nextInt(100_000))),
                    "\"event_time\":" + (random.nextInt(3) == 0 ? pick(EVENT_TIMES, random) : "\"2026-11-" + (10 + random.nextInt(20)) + "T10:15:30." + random.nextInt(1000) + "Z\"")));
            if (random.nextInt(8) == 0) {
                fields.remove(random.nextInt(fields.size()));
            }
            java.util.Collections.shuffle(fields, random);
            String separator = random.nextBoolean() ? "," : " , ";
            values.add("{" + pick(USERS, random) + pick(EXTRAS, random) + String.join(separator, fields) + "}" + (random.nextInt(10) == 0 ? " \n" : ""));
        }
        return values;
    }

    private static String damaged(String json, Random random) {
        StringBuilder text = new StringBuilder(json);
        switch (random.nextInt(4)) {
            case 0 -> text.setCharAt(random.nextInt(text.length()), "{}[]\",:0aZ- \\".charAt(random.nextInt(13)));
            // not to nothing: decode judges an empty value before either path
            case 1 -> text.setLength(1 + random.nextInt(text.length() - 1));
            case 2 -> text.insert(random.nextInt(text.length() + 1), pick(new String[] {",", "\"event_id\":\"x\",", "}", "null", "\u00e9"}, random));
            default -> text.deleteCharAt(random.nextInt(text.length()));
        }
        return text.toString();
    }

    private static String pick(String[] choices, Random random) {
        return choices[random.nextInt(choices.length)];
    }
}
