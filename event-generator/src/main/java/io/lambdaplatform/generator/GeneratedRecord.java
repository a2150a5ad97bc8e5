package io.lambdaplatform.generator;

import io.lambdaplatform.model.Event;
import io.lambdaplatform.model.RejectionReason;

import static java.util.Objects.requireNonNull;

/**
 * One record to send, with what the generator knows about it, so that a test can compute the truth
 * from exactly what was sent.
 *
 * @param kind           what sort of record this is
 * @param key            the Kafka key (may be null for some invalid records)
 * @param value          the Kafka value (may be null or empty for some invalid records)
 * @param event          the event the bytes carry, for every kind but {@link Kind#INVALID}
 * @param expectedReason why the platform must reject it, for {@link Kind#INVALID} only
 */
public record GeneratedRecord(Kind kind, byte[] key, byte[] value, Event event, RejectionReason expectedReason) {

    public enum Kind {
        /** A valid event with an event time around now. */
        VALID,
        /** A valid event with an event time hours to days old. */
        LATE,
        /** An exact copy of an earlier valid or late record: counts once. */
        DUPLICATE,
        /** A record that breaks the event contract. */
        INVALID
    }

    public GeneratedRecord {
        requireNonNull(kind, "kind is null");
        if ((kind == Kind.INVALID) != (expectedReason != null)) {
            throw new IllegalArgumentException("Exactly the invalid records carry an expected rejection reason");
        }
        if ((kind == Kind.INVALID) == (event != null)) {
            throw new IllegalArgumentException("Exactly the valid, late and duplicate records carry an event");
        }
    }
}
