package io.lambdaplatform.serving;

import io.lambdaplatform.model.EventWindow;
import io.lambdaplatform.model.Granularity;

import java.time.Instant;

import static io.lambdaplatform.serving.MetricsQuery.parseGranularity;
import static io.lambdaplatform.serving.MetricsQuery.parseInstant;
import static java.util.Objects.requireNonNull;

/**
 * The windows of size {@code granularity} that start in {@code [from, to)}, both ends aligned to the granularity:
 * the range of every query, for one product or across products.
 */
public record WindowRange(Granularity granularity, Instant from, Instant to) {

    public WindowRange {
        requireNonNull(granularity, "granularity is null");
        requireNonNull(from, "from is null");
        requireNonNull(to, "to is null");
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException("from " + from + " is not before to " + to);
        }
        if (!granularity.isAligned(from) || !granularity.isAligned(to)) {
            throw new IllegalArgumentException("from " + from + " and to " + to + " must be aligned to " + granularity);
        }
    }

    /** How many windows the range spans. */
    public long windowCount() {
        return granularity.windowsBetween(from, to);
    }

    /**
     * Reads {@code from}, {@code to} and {@code granularity} query parameters. {@code from} is aligned down and
     * {@code to} up to the granularity (a window is answered whole or not at all), and the aligned range may span
     * at most {@code maxWindows} windows.
     *
     * @throws InvalidQueryException naming the first parameter that is missing or wrong
     */
    public static WindowRange parse(String fromText, String toText, String granularityText, int maxWindows) {
        Granularity granularity = parseGranularity(granularityText);
        Instant from = parseInstant("from", fromText);
        Instant to = parseInstant("to", toText);
        if (!from.isBefore(to)) {
            throw new InvalidQueryException("to", "must be after from (" + fromText + "), got " + toText);
        }
        Instant alignedFrom = granularity.windowStart(from);
        Instant alignedTo = granularity.isAligned(to) ? to : granularity.windowStart(to).plus(granularity.width());
        long windows = granularity.windowsBetween(alignedFrom, alignedTo);
        if (windows > maxWindows) {
            throw new InvalidQueryException("to", "the range from " + alignedFrom + " to " + alignedTo + " spans " + windows
                    + " windows of " + granularity + "; at most " + maxWindows + " are allowed: narrow the range or use a coarser granularity");
        }
        return new WindowRange(granularity, alignedFrom, alignedTo);
    }

    /** True when the window has this range's granularity and starts in it. */
    public boolean contains(EventWindow window) {
        return window.granularity() == granularity && !window.start().isBefore(from) && window.start().isBefore(to);
    }
}
