package io.lambdaplatform.viewstore;

import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * The right to write the batch layer's master dataset and views: one holder at a time, kept alive by renewal,
 * gone when its holder stops renewing it for one time-to-live.
 *
 * @param holder who holds it: host, process id and a random id, so that two runs on one host differ
 * @param since  when the holder took it
 */
public record BatchLease(String holder, Instant since) {

    public BatchLease {
        requireNonNull(holder, "holder is null");
        requireNonNull(since, "since is null");
        if (holder.isBlank()) {
            throw new IllegalArgumentException("holder is blank");
        }
    }

    @Override
    public String toString() {
        return holder + " since " + since;
    }
}
