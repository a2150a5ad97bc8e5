package io.lambdaplatform.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventCodecTest {

    private static final String BRIEF_EXAMPLE = """
            {"event_id": "e-8f3a", "product_id": "p-42", "user_id": "u-7", "revenue": "19.99",
             "duration_ms": 1534, "event_time": "2026-11-24T10:15:30.123Z"}""";

    @Test
    void decodesTheExampleOfTheContract() {
        Event event = valid(BRIEF_EXAMPLE);

        assertThat(event).isEqualTo(new Event("e-8f3a", "p-42", "u-7", new BigDecimal("19.99"), 1534,
                Instant.parse("2026-11-24T10:15:30.123Z")));
        assertThat(event.user()).contains("u-7");
    }

    @Test
    void acceptsRevenueAsANumberAndEventTimeAsEpochMillis() {
        Event event = valid("""
                {"event_id":"e1","product_id":"p1","revenue":-5.5,"duration_ms":0,"event_time":1764000000123}""");

        assertThat(event.revenue()).isEqualByComparingTo("-5.50");
        assertThat(event.revenue().scale()).isEqualTo(2);
        assertThat(event.eventTime()).isEqualTo(Instant.ofEpochMilli(1_764_000_000_123L));
        assertThat(event.user()).isEmpty();
    }

    @Test
    void keepsDecimalRevenueExactWithoutPassingThroughDouble() {
        // 0.1 + 0.2 is the classic double trap; each must arrive exactly.
        assertThat(valid(json("\"revenue\":0.10")).revenue()).isEqualTo(new BigDecimal("0.10"));
        assertThat(valid(json("\"revenue\":999999999999.99")).revenue()).isEqualTo(new BigDecimal("999999999999.99"));
        assertThat(valid(json("\"revenue\":\"-999999999999.99\"")).revenue()).isEqualTo(new BigDecimal("-999999999999.99"));
        assertThat(valid(json("\"revenue\":12")).revenue()).isEqualTo(new BigDecimal("12.00"));
        assertThat(valid(json("\"revenue\":19.990")).revenue()).isEqualTo(new BigDecimal("19.99"));
        assertThat(valid(json("\"revenue\":1E+2")).revenue()).isEqualTo(new BigDecimal("100.00"));
    }

    @Test
    void acceptsIsoInstantsWithAnOffset() {
        Event event = valid(json("\"event_time\":\"2026-11-24T11:15:30+01:00\""));

        assertThat(event.eventTime()).isEqualTo(Instant.parse("2026-11-24T10:15:30Z"));
    }

    @Test
    void ignoresUnknownFields() {
        assertThat(valid(json("\"campaign\":{\"id\":7}")).eventId()).isEqualTo("e1");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            not json at all                                            | MALFORMED_JSON | value:
            [1,2,3]                                                    | MALFORMED_JSON | not a JSON object
            "just a string"                                            | MALFORMED_JSON | not a JSON object
            {"event_id":"e1"} trailing                                 | MALFORMED_JSON | value:
            {"event_id":"e1","event_id":"e2"}                          | MALFORMED_JSON | Duplicate field
            {"product_id":"p1","revenue":"1","duration_ms":1,"event_time":0}              | MISSING_FIELD | event_id: required
            {"event_id":"e1","revenue":"1","duration_ms":1,"event_time":0}                | MISSING_FIELD | product_id: required
            {"event_id":"e1","product_id":"p1","duration_ms":1,"event_time":0}            | MISSING_FIELD | revenue: required
            {"event_id":"e1","product_id":"p1","revenue":"1","event_time":0}              | MISSING_FIELD | duration_ms: required
            {"event_id":"e1","product_id":"p1","revenue":"1","duration_ms":1}             | MISSING_FIELD | event_time: required
            {"event_id":null,"product_id":"p1","revenue":"1","duration_ms":1,"event_time":0} | MISSING_FIELD | event_id: required
            {"event_id":42,"product_id":"p1","revenue":"1","duration_ms":1,"event_time":0}   | WRONG_TYPE | event_id: must be a string, was number
            {"event_id":"e1","product_id":["p1"],"revenue":"1","duration_ms":1,"event_time":0} | WRONG_TYPE | product_id: must be a string, was array
            {"event_id":"e1","product_id":"p1","user_id":7,"revenue":"1","duration_ms":1,"event_time":0} | WRONG_TYPE | user_id: must be a string
            {"event_id":"e1","product_id":"p1","revenue":true,"duration_ms":1,"event_time":0}  | WRONG_TYPE | revenue: must be a number or a decimal string
            {"event_id":"e1","product_id":"p1","revenue":"1","duration_ms":"15","event_time":0} | WRONG_TYPE | duration_ms: must be an integer, was string
            {"event_id":"e1","product_id":"p1","revenue":"1","duration_ms":1.5,"event_time":0}  | WRONG_TYPE | duration_ms: must be an integer, was number
            {"event_id":"e1","product_id":"p1","revenue":"1","duration_ms":1,"event_time":1.5}  | WRONG_TYPE | event_time: must be an ISO-8601 string
            {"event_id":"","product_id":"p1","revenue":"1","duration_ms":1,"event_time":0}      | INVALID_VALUE | event_id: must not be empty
            {"event_id":"e1","product_id":"p 1","revenue":"1","duration_ms":1,"event_time":0}   | INVALID_VALUE | product_id: only letters
            {"event_id":"e1","product_id":"p/1","revenue":"1","duration_ms":1,"event_time":0}   | INVALID_VALUE | product_id: only letters
            {"event_id":"e1","product_id":"p1","revenue":"1.999","duration_ms":1,"event_time":0}  | INVALID_VALUE | revenue: more than 2 fraction digits
            {"event_id":"e1","product_id":"p1","revenue":0.001,"duration_ms":1,"event_time":0}    | INVALID_VALUE | revenue: more than 2 fraction digits
            {"event_id":"e1","product_id":"p1","revenue":"12,50","duration_ms":1,"event_time":0}  | INVALID_VALUE | revenue: not a decimal number
            {"event_id":"e1","product_id":"p1","revenue":"1e3","duration_ms":1,"event_time":0}    | INVALID_VALUE | revenue: not a decimal number
            {"event_id":"e1","product_id":"p1","revenue":"NaN","duration_ms":1,"event_time":0}    | INVALID_VALUE | revenue: not a decimal number
            {"event_id":"e1","product_id":"p1","revenue":1000000000000,"duration_ms":1,"event_time":0} | INVALID_VALUE | revenue: must be less than 10^12
            {"event_id":"e1","product_id":"p1","revenue":-1E+999999,"duration_ms":1,"event_time":0}    | INVALID_VALUE | revenue: must be less than 10^12
            {"event_id":"e1","product_id":"p1","revenue":"1","duration_ms":-1,"event_time":0}    | INVALID_VALUE | duration_ms: must be between 0 and
            {"event_id":"e1","product_id":"p1","revenue":"1","duration_ms":1000000000001,"event_time":0} | INVALID_VALUE | duration_ms: must be between 0 and
            {"event_id":"e1","product_id":"p1","revenue":"1","duration_ms":99999999999999999999,"event_time":0} | INVALID_VALUE | duration_ms: out of range
            {"event_id":"e1","product_id":"p1","revenue":"1","duration_ms":1,"event_time":"yesterday"} | INVALID_VALUE | event_time: not an ISO-8601 instant
            {"event_id":"e1","product_id":"p1","revenue":"1","duration_ms":1,"event_time":"2026-11-24"} | INVALID_VALUE | event_time: not an ISO-8601 instant
            {"event_id":"e1","product_id":"p1","revenue":"1","duration_ms":1,"event_time":-1}   | INVALID_VALUE | event_time: must lie between 1970 and 9999
            """)
    void rejectsEachBrokenRuleWithItsReason(String json, RejectionReason reason, String detail) {
        Rejection rejection = invalid(json.getBytes(StandardCharsets.UTF_8));

        assertThat(rejection.reason()).isEqualTo(reason);
        assertThat(rejection.detail()).contains(detail);
    }

    @Test
    void rejectsIdsLongerThan128Characters() {
        String id128 = "e".repeat(128);
        assertThat(valid(json("\"event_id\":\"" + id128 + "\"")).eventId()).hasSize(128);

        Rejection rejection = invalid(json("\"event_id\":\"" + id128 + "x\"").getBytes(StandardCharsets.UTF_8));
        assertThat(rejection.reason()).isEqualTo(RejectionReason.INVALID_VALUE);
        assertThat(rejection.detail()).isEqualTo("event_id: longer than 128 characters (129)");

        Rejection product = invalid(json("\"product_id\":\"" + "p".repeat(129) + "\"").getBytes(StandardCharsets.UTF_8));
        assertThat(product.detail()).startsWith("product_id: longer than 128 characters");
    }

    @Test
    void rejectsEmptyAndMissingValues() {
        assertThat(invalid(null).reason()).isEqualTo(RejectionReason.EMPTY);
        assertThat(invalid(new byte[0]).reason()).isEqualTo(RejectionReason.EMPTY);
    }

    @Test
    void rejectsPayloadsOverOneMebibyteBeforeParsing() {
        String padding = "x".repeat(EventRules.MAX_PAYLOAD_BYTES);
        Rejection rejection = invalid(json("\"user_id\":\"" + padding + "\"").getBytes(StandardCharsets.UTF_8));

        assertThat(rejection.reason()).isEqualTo(RejectionReason.TOO_LARGE);
        assertThat(rejection.detail()).contains("more than 1048576");
    }

    @Test
    void acceptsAPayloadJustUnderTheLimit() {
        String base = json("\"user_id\":\"\"");
        String padding = "x".repeat(EventRules.MAX_PAYLOAD_BYTES - base.length());
        byte[] value = json("\"user_id\":\"" + padding + "\"").getBytes(StandardCharsets.UTF_8);

        assertThat(value).hasSize(EventRules.MAX_PAYLOAD_BYTES);
        assertThat(EventCodec.decode(value)).isInstanceOf(EventVerdict.Valid.class);
    }

    @Test
    void rejectsBytesThatAreNotUtf8() {
        byte[] latin1 = json("\"user_id\":\"Zoë\"").getBytes(StandardCharsets.ISO_8859_1);

        assertThat(invalid(latin1).reason()).isEqualTo(RejectionReason.NOT_UTF8);
    }

    @Test
    void requiresTheKafkaKeyToBeTheProductId() {
        byte[] value = json("").getBytes(StandardCharsets.UTF_8);

        assertThat(EventCodec.decode("p1".getBytes(StandardCharsets.UTF_8), value)).isInstanceOf(EventVerdict.Valid.class);
        EventVerdict wrongKey = EventCodec.decode("p2".getBytes(StandardCharsets.UTF_8), value);
        EventVerdict noKey = EventCodec.decode(null, value);

        assertThat(((EventVerdict.Invalid) wrongKey).rejection())
                .isEqualTo(new Rejection(RejectionReason.KEY_MISMATCH, "key: must equal product_id 'p1', was 'p2'"));
        assertThat(((EventVerdict.Invalid) noKey).rejection().detail()).isEqualTo("key: must equal product_id 'p1', was none");
    }

    @Test
    void aBrokenValueIsJudgedOnItsValueBeforeItsKey() {
        assertThat(((EventVerdict.Invalid) EventCodec.decode(null, "{".getBytes(StandardCharsets.UTF_8))).rejection().reason())
                .isEqualTo(RejectionReason.MALFORMED_JSON);
    }

    @Test
    void encodesToJsonThatDecodesToTheSameEvent() {
        Event event = new Event("e-1", "p:1.a_b-c", "u-9", new BigDecimal("-0.05"), 12,
                Instant.parse("2026-01-02T03:04:05.678Z"));

        String json = EventCodec.encodeToString(event);

        assertThat(json).isEqualTo("{\"event_id\":\"e-1\",\"product_id\":\"p:1.a_b-c\",\"user_id\":\"u-9\","
                + "\"revenue\":\"-0.05\",\"duration_ms\":12,\"event_time\":\"2026-01-02T03:04:05.678Z\"}");
        assertThat(EventCodec.decode("p:1.a_b-c".getBytes(StandardCharsets.UTF_8), EventCodec.encode(event)))
                .isEqualTo(EventVerdict.valid(event));
    }

    @Test
    void theConstructorEnforcesTheSameRulesAsTheCodec() {
        assertThatThrownBy(() -> Event.of("e1", "p 1", "1.00", 1, Instant.EPOCH))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("product_id: only letters");
        assertThatThrownBy(() -> Event.of("e1", "p1", "1.001", 1, Instant.EPOCH))
                .hasMessageContaining("revenue: more than 2 fraction digits: 1.001");
        assertThatThrownBy(() -> Event.of("e1", "p1", "1", -3, Instant.EPOCH))
                .hasMessageContaining("duration_ms: must be between 0 and 1000000000000: -3");
    }

    private static String json(String override) {
        String base = "\"event_id\":\"e1\",\"product_id\":\"p1\",\"revenue\":\"1.00\",\"duration_ms\":10,"
                + "\"event_time\":\"2026-11-24T10:15:30Z\"";
        if (override.isEmpty()) {
            return "{" + base + "}";
        }
        String field = override.substring(0, override.indexOf(':') + 1);
        String kept = java.util.Arrays.stream(base.split(","))
                .filter(part -> !part.startsWith(field))
                .collect(java.util.stream.Collectors.joining(","));
        return "{" + kept + "," + override + "}";
    }

    private static Event valid(String json) {
        EventVerdict verdict = EventCodec.decode(json);
        assertThat(verdict).isInstanceOf(EventVerdict.Valid.class);
        return ((EventVerdict.Valid) verdict).event();
    }

    private static Rejection invalid(byte[] value) {
        EventVerdict verdict = EventCodec.decode(value);
        assertThat(verdict).isInstanceOf(EventVerdict.Invalid.class);
        return ((EventVerdict.Invalid) verdict).rejection();
    }
}
