package io.lambdaplatform.viewstore;

import io.lambdaplatform.model.EventRules;
import io.lambdaplatform.model.EventWindow;
import io.lambdaplatform.model.Measure;
import io.lambdaplatform.model.Metrics;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

import static java.util.Objects.requireNonNull;

/**
 * Two sets of stream-built views compared window by window: every 5-minute window of every product, over the events
 * ingested before a bound both sets have reached, by the exact measures (event count, revenue, duration sum). The
 * sketches are left out: a KLL sketch depends on the order its values came in, so two sets that agree on every event
 * may hold different bytes.
 *
 * @param equal          windows with the same measures in both sets
 * @param different      windows in both sets with different measures
 * @param onlyInCurrent  windows with events only in the current set
 * @param onlyInNext     windows with events only in the new set
 * @param products       the products that have a window counted in {@code different}, {@code onlyInCurrent} or {@code onlyInNext}
 * @param examples       up to {@value #MAX_EXAMPLES} of those windows, each with both sides, for the report
 */
public record ViewComparison(long equal, long different, long onlyInCurrent, long onlyInNext, Set<String> products, List<String> examples) {

    public static final int MAX_EXAMPLES = 10;

    public ViewComparison {
        products = Set.copyOf(products);
        examples = List.copyOf(examples);
    }

    /** Compares every product of both sets over the events ingested before {@code ingestedBefore}. */
    public static ViewComparison of(SpeedViews current, SpeedViews next, Instant ingestedBefore) {
        requireNonNull(ingestedBefore, "ingestedBefore is null");
        Set<String> products = new TreeSet<>(current.products());
        products.addAll(next.products());
        long equal = 0;
        long different = 0;
        long onlyInCurrent = 0;
        long onlyInNext = 0;
        Set<String> differing = new TreeSet<>();
        List<String> examples = new ArrayList<>();
        for (String product : products) {
            Map<EventWindow, Metrics> left = windows(current, product, ingestedBefore);
            Map<EventWindow, Metrics> right = windows(next, product, ingestedBefore);
            Set<EventWindow> all = new TreeSet<>(left.keySet());
            all.addAll(right.keySet());
            for (EventWindow window : all) {
                Metrics a = left.get(window);
                Metrics b = right.get(window);
                if (a != null && b != null && sameMeasures(a, b)) {
                    equal++;
                    continue;
                }
                if (a == null) {
                    onlyInNext++;
                }
                else if (b == null) {
                    onlyInCurrent++;
                }
                else {
                    different++;
                }
                differing.add(product);
                if (examples.size() < MAX_EXAMPLES) {
                    examples.add(product + " " + window.start() + ": current " + describe(a) + ", new " + describe(b));
                }
            }
        }
        return new ViewComparison(equal, different, onlyInCurrent, onlyInNext, differing, examples);
    }

    /** True when every window that differs belongs to a product {@code expected} accepts. */
    public boolean differsOnlyIn(Predicate<String> expected) {
        return products.stream().allMatch(expected);
    }

    public boolean identical() {
        return products.isEmpty();
    }

    /** One line: {@code windows equal=… different=… only_in_current=… only_in_new=…}. */
    public String summary() {
        return "windows equal=" + equal + " different=" + different + " only_in_current=" + onlyInCurrent + " only_in_new=" + onlyInNext;
    }

    /** The product's 5-minute windows with events ingested before the bound, every ingest bucket added up. */
    private static Map<EventWindow, Metrics> windows(SpeedViews views, String product, Instant ingestedBefore) {
        Map<EventWindow, Metrics> windows = new TreeMap<>();
        for (SpeedDelta delta : views.read(product, EventRules.MIN_EVENT_TIME, EventRules.MAX_EVENT_TIME, Instant.EPOCH, ingestedBefore)) {
            if (delta.ingestBucket().isBefore(ingestedBefore)) {
                windows.merge(delta.key().window(), delta.metrics(), Metrics::merge);
            }
        }
        windows.values().removeIf(Metrics::isEmpty);
        return windows;
    }

    private static boolean sameMeasures(Metrics a, Metrics b) {
        for (Measure measure : Measure.values()) {
            if (a.value(measure).compareTo(b.value(measure)) != 0) {
                return false;
            }
        }
        return true;
    }

    private static String describe(Metrics metrics) {
        if (metrics == null) {
            return "no events";
        }
        StringBuilder text = new StringBuilder();
        for (Measure measure : Measure.values()) {
            text.append(text.isEmpty() ? "" : " ").append(measure.column()).append('=').append(metrics.value(measure).toPlainString());
        }
        return text.toString();
    }
}
