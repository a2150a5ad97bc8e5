package io.lambdaplatform.batch;

import io.lambdaplatform.viewstore.CassandraBatchViews;

import java.io.Serializable;
import java.time.Duration;

import static java.util.Objects.requireNonNull;

/**
 * How each Spark task writes its view rows: at most {@code maxInFlight} writes outstanding, each tried up
 * to {@code maxAttempts} times with exponential backoff from {@code firstBackoff}.
 */
public record ViewWriteSettings(int maxInFlight, int maxAttempts, Duration firstBackoff) implements Serializable {

    public static final ViewWriteSettings DEFAULT = new ViewWriteSettings(256, 8, Duration.ofMillis(200));

    public ViewWriteSettings {
        requireNonNull(firstBackoff, "firstBackoff is null");
        if (maxInFlight < 1 || maxAttempts < 1) {
            throw new IllegalArgumentException("view writes need maxInFlight and maxAttempts of at least 1: " + maxInFlight + ", " + maxAttempts);
        }
        if (firstBackoff.isNegative()) {
            throw new IllegalArgumentException("firstBackoff is negative: " + firstBackoff);
        }
    }

    public CassandraBatchViews.WriteLimits limits() {
        return new CassandraBatchViews.WriteLimits(maxInFlight, maxAttempts, firstBackoff);
    }
}
