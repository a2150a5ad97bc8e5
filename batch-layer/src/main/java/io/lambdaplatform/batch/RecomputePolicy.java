package io.lambdaplatform.batch;

import java.io.Serializable;
import java.time.Duration;
import java.util.Locale;

import static java.util.Objects.requireNonNull;

/**
 * When a run recomputes the views from the whole master dataset instead of adding the new records to the live version.
 *
 * @param full      every run recomputes in full ({@code lambda.batch.mode = full}, {@code ./lambda batch --full})
 * @param fullEvery an incremental run recomputes in full instead once the newest full recompute its version builds on
 *                  started this long ago ({@code lambda.batch.full-every}); {@link Duration#ZERO}: never on a schedule
 */
public record RecomputePolicy(boolean full, Duration fullEvery) implements Serializable {

    public static final RecomputePolicy DEFAULT = new RecomputePolicy(false, Duration.ofDays(1));

    public RecomputePolicy {
        requireNonNull(fullEvery, "fullEvery is null");
        if (fullEvery.isNegative()) {
            throw new IllegalArgumentException(BatchConfig.SECTION + ".full-every must not be negative: " + fullEvery);
        }
    }

    /** {@code mode}: {@code incremental} or {@code full}. */
    public static RecomputePolicy of(String mode, Duration fullEvery) {
        return switch (mode.toLowerCase(Locale.ROOT)) {
            case "incremental" -> new RecomputePolicy(false, fullEvery);
            case "full" -> new RecomputePolicy(true, fullEvery);
            default -> throw new IllegalArgumentException(BatchConfig.SECTION + ".mode must be incremental or full: " + mode);
        };
    }

    public RecomputePolicy withFull(boolean newFull) {
        return new RecomputePolicy(newFull, fullEvery);
    }
}
