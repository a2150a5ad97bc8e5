package io.lambdaplatform.model;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.regex.Pattern;

/**
 * The event contract's limits, in one place. {@link Event}'s constructor and {@link EventCodec}
 * both call these checks, so an event built in code and one decoded from JSON obey the same rules.
 */
public final class EventRules {

    /**
     * The version of the rules by which {@link EventCodec#decode(byte[], byte[])} judges a record. The batch layer stores
     * each record's verdict and decoded fields when it archives it, and records this number with the range; a range
     * judged under another version is judged again from its raw bytes. Bump it with every change to a rule here or in
     * {@link EventCodec} that can change a record's verdict or decoded fields.
     */
    public static final int VERSION = 1;

    /** Larger values are rejected before parsing. */
    public static final int MAX_PAYLOAD_BYTES = 1024 * 1024;
    public static final int MAX_ID_LENGTH = 128;
    /** Revenue must be strictly smaller than this in absolute value. */
    public static final BigDecimal REVENUE_LIMIT = BigDecimal.TEN.pow(12);
    public static final int REVENUE_SCALE = 2;
    /**
     * Durations above 10^12 ms (about 31 years) are rejected, so that the duration sum of one window
     * stays exact in 64 bits for millions of events at the limit and any realistic number below it.
     */
    public static final long MAX_DURATION_MS = 1_000_000_000_000L;
    /** Event times before the epoch or after the year 9999 are rejected. */
    public static final Instant MIN_EVENT_TIME = Instant.EPOCH;
    public static final Instant MAX_EVENT_TIME = Instant.parse("9999-12-31T23:59:59.999Z");

    private static final Pattern PRODUCT_ID = Pattern.compile("[A-Za-z0-9._:-]+");

    private EventRules() {}

    static void checkEventId(String eventId) {
        checkId("event_id", eventId);
    }

    /**
     * Checks a product id by the event contract's rule, e.g. one taken from a URL.
     *
     * @throws InvalidEventException naming the problem
     */
    public static void checkProductId(String productId) {
        checkId("product_id", productId);
        if (!PRODUCT_ID.matcher(productId).matches()) {
            throw invalid("product_id: only letters, digits and . _ : - are allowed: " + productId);
        }
    }

    /** Returns the revenue at scale 2, or throws if it has more fraction digits or is out of range. */
    static BigDecimal checkRevenue(BigDecimal revenue) {
        // Magnitude first: it is cheap even for values like 1e999999, which setScale would expand.
        if (revenue.abs().compareTo(REVENUE_LIMIT) >= 0) {
            throw invalid("revenue: must be less than 10^12 in absolute value: " + abbreviate(revenue));
        }
        if (revenue.scale() > REVENUE_SCALE && revenue.stripTrailingZeros().scale() > REVENUE_SCALE) {
            throw invalid("revenue: more than 2 fraction digits: " + abbreviate(revenue));
        }
        return revenue.setScale(REVENUE_SCALE, RoundingMode.UNNECESSARY);
    }

    private static String abbreviate(BigDecimal value) {
        String text = value.toString();
        return text.length() <= 40 ? text : text.substring(0, 40) + "…";
    }

    static void checkDuration(long durationMs) {
        if (durationMs < 0 || durationMs > MAX_DURATION_MS) {
            throw invalid("duration_ms: must be between 0 and " + MAX_DURATION_MS + ": " + durationMs);
        }
    }

    static void checkEventTime(Instant eventTime) {
        if (eventTime.isBefore(MIN_EVENT_TIME) || eventTime.isAfter(MAX_EVENT_TIME)) {
            throw invalid("event_time: must lie between 1970 and 9999: " + eventTime);
        }
    }

    private static void checkId(String field, String id) {
        if (id.isEmpty()) {
            throw invalid(field + ": must not be empty");
        }
        if (id.length() > MAX_ID_LENGTH) {
            throw invalid(field + ": longer than " + MAX_ID_LENGTH + " characters (" + id.length() + ")");
        }
    }

    private static InvalidEventException invalid(String detail) {
        return new InvalidEventException(RejectionReason.INVALID_VALUE, detail);
    }
}
