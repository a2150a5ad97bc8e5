package io.lambdaplatform.serving;

import io.lambdaplatform.model.EventRules;
import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.model.InvalidEventException;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * One metrics question: the windows of size {@code granularity} of one product that start in
 * {@code [from, to)}. Both ends are aligned to the granularity, so the answer's windows are exactly
 * the windows of that range.
 */
public record MetricsQuery(String productId, Granularity granularity, Instant from, Instant to) {

    /** Instants before the epoch or after the year 9999 are refused: no event can lie there. */
    private static final Instant EARLIEST = Instant.EPOCH;
    private static final Instant LATEST = Instant.parse("9999-12-31T00:00:00Z");

    public MetricsQuery {
        requireNonNull(productId, "productId is null");
        // validates the range: ordered and aligned
        new WindowRange(granularity, from, to);
    }

    /** How many windows the query spans. */
    public long windowCount() {
        return range().windowCount();
    }

    /**
     * Reads the parameters of {@code GET /v1/metrics/{product_id}}. {@code from} is aligned down and
     * {@code to} up to the granularity (a window is answered whole or not at all), and the aligned
     * range may span at most {@code maxWindows} windows.
     *
     * @throws InvalidQueryException naming the first parameter that is missing or wrong
     */
    public static MetricsQuery parse(String productId, String fromText, String toText, String granularityText, int maxWindows) {
        String product = requireParameter("product_id", productId);
        checkProductId("product_id", product);
        WindowRange range = WindowRange.parse(fromText, toText, granularityText, maxWindows);
        return new MetricsQuery(product, range.granularity(), range.from(), range.to());
    }

    /**
     * Reads the {@code product} parameters of {@code GET /v1/metrics?product=a&product=b}: from 1 to {@code maxProducts}
     * product ids, each by the event contract's rule; a product named twice is answered once.
     *
     * @throws InvalidQueryException naming {@code product}
     */
    public static List<String> parseProducts(List<String> productIds, int maxProducts) {
        if (productIds == null || productIds.isEmpty()) {
            throw new InvalidQueryException("product", "missing: name one or more products (product=a&product=b)");
        }
        Set<String> distinct = new LinkedHashSet<>();
        for (String productId : productIds) {
            checkProductId("product", productId);
            distinct.add(productId);
        }
        if (distinct.size() > maxProducts) {
            throw new InvalidQueryException("product", "at most " + maxProducts + " products in one request, not " + distinct.size());
        }
        return List.copyOf(distinct);
    }

    /** The windows the query asks for. */
    public WindowRange range() {
        return new WindowRange(granularity, from, to);
    }

    /**
     * Applies the event contract's product-id rule (characters, length): the one rule, in common-model,
     * that both layers ingest by.
     */
    private static void checkProductId(String parameter, String productId) {
        try {
            EventRules.checkProductId(productId);
        }
        catch (InvalidEventException e) {
            throw new InvalidQueryException(parameter, abbreviate(e.rejection().detail()));
        }
    }

    static Granularity parseGranularity(String text) {
        String label = requireParameter("granularity", text);
        try {
            return Granularity.parse(label);
        }
        catch (IllegalArgumentException e) {
            throw new InvalidQueryException("granularity", "unknown granularity '" + abbreviate(label) + "': expected one of 5m, 1h, 1d");
        }
    }

    /** ISO-8601 with {@code Z} or an offset, e.g. {@code 2026-11-24T10:00:00Z} or {@code 2026-11-24T11:00:00+01:00}. */
    static Instant parseInstant(String parameter, String text) {
        String value = requireParameter(parameter, text);
        Instant instant;
        try {
            instant = OffsetDateTime.parse(value, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        }
        catch (DateTimeParseException e) {
            throw new InvalidQueryException(parameter, "not an ISO-8601 instant with a zone offset (e.g. 2026-11-24T10:00:00Z): '"
                    + abbreviate(value) + "'");
        }
        if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
            throw new InvalidQueryException(parameter, "must lie between " + EARLIEST + " and " + LATEST + ": " + value);
        }
        return instant;
    }

    static String requireParameter(String parameter, String value) {
        if (value == null || value.isEmpty()) {
            throw new InvalidQueryException(parameter, "is required");
        }
        return value;
    }

    static String abbreviate(String text) {
        return text.length() <= 160 ? text : text.substring(0, 160) + "…";
    }
}
