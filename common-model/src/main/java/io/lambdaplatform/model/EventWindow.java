package io.lambdaplatform.model;

import java.io.Serializable;
import java.time.Instant;

import static java.util.Objects.requireNonNull;

/** One UTC-aligned event-time window: {@code [start, start + granularity)}. */
public record EventWindow(Granularity granularity, Instant start) implements Comparable<EventWindow>, Serializable {

    public EventWindow {
        requireNonNull(granularity, "granularity is null");
        requireNonNull(start, "start is null");
        if (!granularity.isAligned(start)) {
            throw new IllegalArgumentException("Window start " + start + " is not aligned to " + granularity);
        }
    }

    /** The window of this size that contains {@code time}. */
    public static EventWindow containing(Granularity granularity, Instant time) {
        return new EventWindow(granularity, granularity.windowStart(time));
    }

    public Instant end() {
        return start.plus(granularity.width());
    }

    public boolean contains(Instant time) {
        return !time.isBefore(start) && time.isBefore(end());
    }

    /** The window of a coarser (or equal) size that contains this one, e.g. its hour for a 5-minute window. */
    public EventWindow rollUp(Granularity coarser) {
        if (coarser.width().compareTo(granularity.width()) < 0) {
            throw new IllegalArgumentException("Cannot roll " + granularity + " up to finer " + coarser);
        }
        return containing(coarser, start);
    }

    @Override
    public int compareTo(EventWindow other) {
        int byStart = start.compareTo(other.start);
        return byStart != 0 ? byStart : granularity.compareTo(other.granularity);
    }
}
