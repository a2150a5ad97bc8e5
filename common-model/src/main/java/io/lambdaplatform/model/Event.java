package io.lambdaplatform.model;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * One valid analytics event, as the {@code events} topic carries it.
 *
 * <p>Instances are only ever valid: the compact constructor enforces every rule of the event
 * contract, so code that holds an {@code Event} never re-checks it. Raw payloads are turned into
 * events (or rejections) by {@link EventCodec#decode}.
 *
 * @param eventId    unique per product; the identity used to drop duplicates
 * @param productId  the view key, {@code [A-Za-z0-9._:-]}, at most 128 characters
 * @param userId     optional, {@code null} when absent
 * @param revenue    exact, scale 2, may be negative (refunds), |revenue| &lt; 10^12
 * @param durationMs at least 0 and at most {@link EventRules#MAX_DURATION_MS}
 * @param eventTime  when the event happened (not when it was ingested)
 */
public record Event(
        String eventId,
        String productId,
        String userId,
        BigDecimal revenue,
        long durationMs,
        Instant eventTime) implements java.io.Serializable {

    public Event {
        EventRules.checkEventId(requireNonNull(eventId, "eventId is null"));
        EventRules.checkProductId(requireNonNull(productId, "productId is null"));
        revenue = EventRules.checkRevenue(requireNonNull(revenue, "revenue is null"));
        EventRules.checkDuration(durationMs);
        EventRules.checkEventTime(requireNonNull(eventTime, "eventTime is null"));
    }

    public static Event of(String eventId, String productId, String revenue, long durationMs, Instant eventTime) {
        return new Event(eventId, productId, null, new BigDecimal(revenue), durationMs, eventTime);
    }

    /** The user, when the event names one. */
    public Optional<String> user() {
        return Optional.ofNullable(userId);
    }

    /** The identity under which copies of this event are duplicates: event ids are unique per product. */
    public EventIdentity identity() {
        return new EventIdentity(productId, eventId);
    }

    public Event withEventTime(Instant newEventTime) {
        return new Event(eventId, productId, userId, revenue, durationMs, newEventTime);
    }

    public Event withRevenue(BigDecimal newRevenue) {
        return new Event(eventId, productId, userId, newRevenue, durationMs, eventTime);
    }
}
