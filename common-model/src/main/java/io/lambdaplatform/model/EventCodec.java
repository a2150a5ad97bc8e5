package io.lambdaplatform.model;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Arrays;
import java.util.regex.Pattern;

import static io.lambdaplatform.model.RejectionReason.EMPTY;
import static io.lambdaplatform.model.RejectionReason.INVALID_VALUE;
import static io.lambdaplatform.model.RejectionReason.KEY_MISMATCH;
import static io.lambdaplatform.model.RejectionReason.MALFORMED_JSON;
import static io.lambdaplatform.model.RejectionReason.MISSING_FIELD;
import static io.lambdaplatform.model.RejectionReason.NOT_UTF8;
import static io.lambdaplatform.model.RejectionReason.TOO_LARGE;
import static io.lambdaplatform.model.RejectionReason.WRONG_TYPE;

/**
 * The event's JSON form, and the single judge of which records are valid.
 *
 * <p>Both layers call {@link #decode(byte[], byte[])} on the raw Kafka key and value, so they agree on
 * every record. Decoding never throws: every problem becomes an {@link EventVerdict.Invalid} naming
 * the reason and the field.
 */
public final class EventCodec {

    public static final String EVENT_ID = "event_id";
    public static final String PRODUCT_ID = "product_id";
    public static final String USER_ID = "user_id";
    public static final String REVENUE = "revenue";
    public static final String DURATION_MS = "duration_ms";
    public static final String EVENT_TIME = "event_time";

    private static final Pattern DECIMAL_STRING = Pattern.compile("-?\\d{1,20}(\\.\\d{1,20})?");
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();
    private static final JsonFactory FACTORY = MAPPER.getFactory();

    private EventCodec() {}

    /**
     * Judges one Kafka record. The key must be the event's product id (UTF-8): that is what places
     * every copy of an event on one partition, in ingest order.
     */
    public static EventVerdict decode(byte[] key, byte[] value) {
        EventVerdict verdict = decode(value);
        if (verdict instanceof EventVerdict.Valid valid) {
            byte[] expected = valid.event().productId().getBytes(StandardCharsets.UTF_8);
            if (key == null || !Arrays.equals(key, expected)) {
                String actual = key == null ? "none" : "'" + new String(key, StandardCharsets.UTF_8) + "'";
                return EventVerdict.invalid(KEY_MISMATCH,
                        "key: must equal product_id '" + valid.event().productId() + "', was " + actual);
            }
        }
        return verdict;
    }

    /** Judges a value that has no Kafka key, e.g. one line of a file being imported. */
    public static EventVerdict decode(byte[] value) {
        if (value == null || value.length == 0) {
            return EventVerdict.invalid(EMPTY, "value: empty record");
        }
        if (value.length > EventRules.MAX_PAYLOAD_BYTES) {
            return EventVerdict.invalid(TOO_LARGE,
                    "value: " + value.length + " bytes, more than " + EventRules.MAX_PAYLOAD_BYTES);
        }
        Event event = decodeWellFormed(value);
        return event != null ? EventVerdict.valid(event) : decodeTree(value);
    }

    /**
     * Judges a value by reading it into a JSON tree first: the reference judge, which names every problem.
     * {@link #decode(byte[])} only comes here when {@link #decodeWellFormed} did not accept the value.
     */
    static EventVerdict decodeTree(byte[] value) {
        JsonNode root;
        try {
            root = MAPPER.readTree(value);
        }
        catch (IOException e) {
            if (!isUtf8(value)) {
                return EventVerdict.invalid(NOT_UTF8, "value: not valid UTF-8");
            }
            return EventVerdict.invalid(MALFORMED_JSON, "value: " + firstLine(e));
        }
        if (root == null || !root.isObject()) {
            return EventVerdict.invalid(MALFORMED_JSON, "value: not a JSON object");
        }
        try {
            return EventVerdict.valid(new Event(
                    requiredString(root, EVENT_ID),
                    requiredString(root, PRODUCT_ID),
                    optionalString(root, USER_ID),
                    revenue(root),
                    duration(root),
                    eventTime(root)));
        }
        catch (InvalidEventException e) {
            return new EventVerdict.Invalid(e.rejection());
        }
    }

    /**
     * The event, when the value is one JSON object whose fields have the expected JSON types and valid values; null
     * for anything else, which {@link #decodeTree} then judges and names. Reads the tokens once with the same parser
     * settings, without building a tree (which was most of the decoding time): so whatever this accepts, the tree
     * path accepts as the same event (duplicate keys and trailing tokens make the parser fail here too).
     */
    private static Event decodeWellFormed(byte[] value) {
        try (JsonParser parser = FACTORY.createParser(value)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            String eventId = null;
            String productId = null;
            String userId = null;
            BigDecimal revenue = null;
            long durationMs = -1;
            Instant eventTime = null;
            JsonToken token;
            while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken fieldValue = parser.nextToken();
                switch (field) {
                    case EVENT_ID -> eventId = fieldValue == JsonToken.VALUE_STRING ? parser.getText() : null;
                    case PRODUCT_ID -> productId = fieldValue == JsonToken.VALUE_STRING ? parser.getText() : null;
                    case USER_ID -> {
                        if (fieldValue == JsonToken.VALUE_STRING) {
                            userId = parser.getText();
                        }
                        else if (fieldValue != JsonToken.VALUE_NULL) {
                            return null;
                        }
                    }
                    case REVENUE -> revenue = revenue(parser, fieldValue);
                    case DURATION_MS -> durationMs = fieldValue == JsonToken.VALUE_NUMBER_INT && fitsLong(parser) ? parser.getLongValue() : -1;
                    case EVENT_TIME -> {
                        if (fieldValue == JsonToken.VALUE_NUMBER_INT && fitsLong(parser)) {
                            eventTime = Instant.ofEpochMilli(parser.getLongValue());
                        }
                        else if (fieldValue == JsonToken.VALUE_STRING) {
                            eventTime = IsoInstantParser.parse(parser.getText());
                        }
                        else {
                            return null;
                        }
                    }
                    default -> parser.skipChildren();
                }
            }
            if (token != JsonToken.END_OBJECT || parser.nextToken() != null
                    || eventId == null || productId == null || revenue == null || durationMs < 0 || eventTime == null) {
                return null;
            }
            return new Event(eventId, productId, userId, revenue, durationMs, eventTime);
        }
        catch (IOException | RuntimeException e) {
            // malformed JSON, an impossible instant, a value out of range: the tree path names it
            return null;
        }
    }

    /** The revenue as {@link #revenue(JsonNode)} reads it from the tree, or null. */
    private static BigDecimal revenue(JsonParser parser, JsonToken token) throws IOException {
        if (token == JsonToken.VALUE_NUMBER_INT) {
            return new BigDecimal(parser.getBigIntegerValue());
        }
        if (token == JsonToken.VALUE_NUMBER_FLOAT && !parser.isNaN()) {
            return parser.getDecimalValue();
        }
        if (token == JsonToken.VALUE_STRING) {
            String text = parser.getText();
            return DECIMAL_STRING.matcher(text).matches() ? new BigDecimal(text) : null;
        }
        return null;
    }

    private static boolean fitsLong(JsonParser parser) throws IOException {
        JsonParser.NumberType type = parser.getNumberType();
        return type == JsonParser.NumberType.INT || type == JsonParser.NumberType.LONG;
    }

    /** Judges a JSON text, e.g. a line of a JSON-lines file. */
    public static EventVerdict decode(String json) {
        return decode(json == null ? null : json.getBytes(StandardCharsets.UTF_8));
    }

    /** The event's canonical JSON: revenue as an exact decimal string, event time as an ISO-8601 instant. */
    public static byte[] encode(Event event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(192);
        try (JsonGenerator json = FACTORY.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField(EVENT_ID, event.eventId());
            json.writeStringField(PRODUCT_ID, event.productId());
            if (event.userId() != null) {
                json.writeStringField(USER_ID, event.userId());
            }
            json.writeStringField(REVENUE, event.revenue().toPlainString());
            json.writeNumberField(DURATION_MS, event.durationMs());
            json.writeStringField(EVENT_TIME, event.eventTime().toString());
            json.writeEndObject();
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot encode event " + event.eventId(), e);
        }
        return out.toByteArray();
    }

    public static String encodeToString(Event event) {
        return new String(encode(event), StandardCharsets.UTF_8);
    }

    private static String requiredString(JsonNode root, String field) {
        JsonNode node = required(root, field);
        if (!node.isTextual()) {
            throw wrongType(field, "a string", node);
        }
        return node.textValue();
    }

    private static String optionalString(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw wrongType(field, "a string", node);
        }
        return node.textValue();
    }

    private static BigDecimal revenue(JsonNode root) {
        JsonNode node = required(root, REVENUE);
        if (node.isNumber()) {
            return node.isIntegralNumber() ? new BigDecimal(node.bigIntegerValue()) : node.decimalValue();
        }
        if (node.isTextual()) {
            String text = node.textValue();
            if (!DECIMAL_STRING.matcher(text).matches()) {
                throw new InvalidEventException(INVALID_VALUE, "revenue: not a decimal number: '" + text + "'");
            }
            return new BigDecimal(text);
        }
        throw wrongType(REVENUE, "a number or a decimal string", node);
    }

    private static long duration(JsonNode root) {
        JsonNode node = required(root, DURATION_MS);
        if (!node.isIntegralNumber()) {
            throw wrongType(DURATION_MS, "an integer", node);
        }
        if (!node.canConvertToLong()) {
            throw new InvalidEventException(INVALID_VALUE, "duration_ms: out of range: " + node.asText());
        }
        return node.longValue();
    }

    private static Instant eventTime(JsonNode root) {
        JsonNode node = required(root, EVENT_TIME);
        if (node.isIntegralNumber()) {
            if (!node.canConvertToLong()) {
                throw new InvalidEventException(INVALID_VALUE, "event_time: epoch milliseconds out of range: " + node.asText());
            }
            return Instant.ofEpochMilli(node.longValue());
        }
        if (node.isTextual()) {
            try {
                return IsoInstantParser.parse(node.textValue());
            }
            catch (DateTimeException e) {
                throw new InvalidEventException(INVALID_VALUE,
                        "event_time: not an ISO-8601 instant: '" + node.textValue() + "'");
            }
        }
        throw wrongType(EVENT_TIME, "an ISO-8601 string or epoch milliseconds", node);
    }

    private static JsonNode required(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            throw new InvalidEventException(MISSING_FIELD, field + ": required");
        }
        return node;
    }

    private static InvalidEventException wrongType(String field, String expected, JsonNode actual) {
        return new InvalidEventException(WRONG_TYPE,
                field + ": must be " + expected + ", was " + actual.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
    }

    private static boolean isUtf8(byte[] value) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(value));
            return true;
        }
        catch (CharacterCodingException e) {
            return false;
        }
    }

    private static String firstLine(IOException e) {
        String message = e instanceof JsonParseException parse ? parse.getOriginalMessage() : e.getMessage();
        if (message == null) {
            return e.getClass().getSimpleName();
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
