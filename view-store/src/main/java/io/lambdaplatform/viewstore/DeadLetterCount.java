package io.lambdaplatform.viewstore;

import io.lambdaplatform.model.RejectionReason;

import static java.util.Objects.requireNonNull;

/** How many records of one partition the speed layer dead-lettered for one reason, in total. */
public record DeadLetterCount(int partition, RejectionReason reason, long count) {

    public DeadLetterCount {
        requireNonNull(reason, "reason is null");
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative: " + count);
        }
    }
}
