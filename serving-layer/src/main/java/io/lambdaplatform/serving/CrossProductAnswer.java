package io.lambdaplatform.serving;

import io.lambdaplatform.viewstore.BatchVersion;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import static java.util.Objects.requireNonNull;

/**
 * Every product's merged numbers over a {@link WindowRange}: per window added up over products, and per product
 * over the range; with the coverage of a single product's answer (the same for every product).
 *
 * @param windows       the windows with events, oldest first, each the sum over products
 * @param products      every product with events in the range, by product id
 * @param productsRead  how many products were read (with or without events in the range)
 * @param batchVersion  the batch version merged in, {@code null} before the first batch run
 * @param views which views the answer comes from (mode, and the set of views in Kappa mode)
 */
public record CrossProductAnswer(
        WindowRange range,
        List<MergedWindow> windows,
        List<ProductTotal> products,
        int productsRead,
        BatchVersion batchVersion,
        SpeedCoverage speed,
        List<IngestGap> gaps,
        ViewsUsed views) implements CoveredAnswer {

    /** What the top products are ranked by: the larger first, ties by product id. */
    public enum Measure {
        EVENTS("events", Comparator.comparingLong((ProductTotal product) -> product.total().eventCount())),
        REVENUE("revenue", Comparator.comparing((ProductTotal product) -> product.total().revenue())),
        /** By estimated distinct users; a product whose users are not known (views written before) ranks last. */
        UNIQUE_USERS("unique_users", Comparator.comparingLong((ProductTotal product) -> product.total().knownSketches()
                .map(sketches -> sketches.users().estimate()).orElse(-1L)));

        private final String label;
        private final Comparator<ProductTotal> ascending;

        Measure(String label, Comparator<ProductTotal> ascending) {
            this.label = label;
            this.ascending = ascending;
        }

        public String label() {
            return label;
        }

        /** {@code events} (or {@code event_count}), {@code revenue} or {@code unique_users}; {@code events} when absent. */
        public static Measure parse(String text) {
            if (text == null || text.isEmpty() || text.equals("event_count")) {
                return EVENTS;
            }
            for (Measure measure : values()) {
                if (measure.label.equals(text)) {
                    return measure;
                }
            }
            throw new InvalidQueryException("by", "unknown measure '" + MetricsQuery.abbreviate(text)
                    + "': expected events (or event_count), revenue or unique_users");
        }
    }

    public CrossProductAnswer {
        requireNonNull(views, "views is null");
        requireNonNull(range, "range is null");
        windows = List.copyOf(requireNonNull(windows, "windows is null"));
        products = List.copyOf(requireNonNull(products, "products is null"));
        requireNonNull(speed, "speed is null");
        gaps = List.copyOf(requireNonNull(gaps, "gaps is null"));
    }

    /** The {@code limit} products with the most {@code by}. */
    public List<ProductTotal> top(Measure by, int limit) {
        return products.stream()
                .sorted(by.ascending.reversed().thenComparing(ProductTotal::productId))
                .limit(limit)
                .toList();
    }
}
