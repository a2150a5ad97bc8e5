package io.lambdaplatform.model;

import static java.util.Objects.requireNonNull;

/**
 * Why one record was rejected: a reason to count by and a detail that names the field and value.
 *
 * @param reason what kind of problem it is
 * @param detail a short human-readable explanation, e.g. {@code "revenue: more than 2 fraction digits: 1.999"}
 */
public record Rejection(RejectionReason reason, String detail) {

    /** Kafka header on a dead-lettered record: the {@link RejectionReason#code()}. */
    public static final String REASON_HEADER = "lambda.rejection.reason";
    /** Kafka header on a dead-lettered record: the {@link #detail()}. */
    public static final String DETAIL_HEADER = "lambda.rejection.detail";

    private static final int MAX_DETAIL_LENGTH = 300;

    public Rejection {
        requireNonNull(reason, "reason is null");
        requireNonNull(detail, "detail is null");
        if (detail.length() > MAX_DETAIL_LENGTH) {
            detail = detail.substring(0, MAX_DETAIL_LENGTH) + "…";
        }
    }

    @Override
    public String toString() {
        return reason.code() + ": " + detail;
    }
}
