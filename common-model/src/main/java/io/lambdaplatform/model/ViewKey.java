package io.lambdaplatform.model;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

import static java.util.Objects.requireNonNull;

/** What a view row is keyed by: one product in one event-time window. */
public record ViewKey(String productId, EventWindow window) implements Comparable<ViewKey>, Serializable {

    public ViewKey {
        requireNonNull(productId, "productId is null");
        requireNonNull(window, "window is null");
    }

    /** The key of the window of this size that the event falls into. */
    public static ViewKey of(Event event, Granularity granularity) {
        return new ViewKey(event.productId(), EventWindow.containing(granularity, event.eventTime()));
    }

    /** The event's key at every granularity, finest first. */
    public static List<ViewKey> allOf(Event event) {
        List<ViewKey> keys = new ArrayList<>(Granularity.values().length);
        for (Granularity granularity : Granularity.values()) {
            keys.add(of(event, granularity));
        }
        return keys;
    }

    public ViewKey rollUp(Granularity coarser) {
        return new ViewKey(productId, window.rollUp(coarser));
    }

    @Override
    public int compareTo(ViewKey other) {
        int byProduct = productId.compareTo(other.productId);
        return byProduct != 0 ? byProduct : window.compareTo(other.window);
    }
}
