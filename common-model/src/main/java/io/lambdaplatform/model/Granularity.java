package io.lambdaplatform.model;

import java.time.Duration;
import java.time.Instant;

/** The event-time window sizes the platform keeps views for: UTC-aligned tumbling windows. */
public enum Granularity {
    FIVE_MINUTES("5m", Duration.ofMinutes(5)),
    ONE_HOUR("1h", Duration.ofHours(1)),
    ONE_DAY("1d", Duration.ofDays(1));

    private final String label;
    private final Duration width;
    private final long widthMillis;

    Granularity(String label, Duration width) {
        this.label = label;
        this.width = width;
        this.widthMillis = width.toMillis();
    }

    /** The form used in URLs, configuration and storage: {@code 5m}, {@code 1h}, {@code 1d}. */
    public String label() {
        return label;
    }

    public Duration width() {
        return width;
    }

    /** The start of the window of this size that contains {@code time}. Days start at 00:00 UTC. */
    public Instant windowStart(Instant time) {
        return Instant.ofEpochMilli(Math.floorDiv(time.toEpochMilli(), widthMillis) * widthMillis);
    }

    public boolean isAligned(Instant time) {
        return time.getNano() % 1_000_000 == 0 && Math.floorMod(time.toEpochMilli(), widthMillis) == 0;
    }

    /** The number of windows of this size that start in {@code [from, to)}, once both are aligned outward. */
    public long windowsBetween(Instant from, Instant to) {
        long first = Math.floorDiv(from.toEpochMilli(), widthMillis);
        long last = Math.floorDiv(to.toEpochMilli() - 1, widthMillis);
        return Math.max(0, last - first + 1);
    }

    public static Granularity parse(String label) {
        for (Granularity granularity : values()) {
            if (granularity.label.equals(label)) {
                return granularity;
            }
        }
        throw new IllegalArgumentException("Unknown granularity '" + label + "': expected one of 5m, 1h, 1d");
    }

    @Override
    public String toString() {
        return label;
    }
}
