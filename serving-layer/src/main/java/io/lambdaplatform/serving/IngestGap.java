package io.lambdaplatform.serving;

import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * A span of ingest time that an answer needs but neither the batch view nor the speed rows cover:
 * events ingested in {@code [from, to)} may be missing from the numbers.
 *
 * @param reason why the span is not covered, for people
 */
public record IngestGap(Instant from, Instant to, String reason) {

    public IngestGap {
        requireNonNull(from, "from is null");
        requireNonNull(to, "to is null");
        requireNonNull(reason, "reason is null");
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException("An ingest gap must not be empty: " + from + " to " + to);
        }
    }
}
