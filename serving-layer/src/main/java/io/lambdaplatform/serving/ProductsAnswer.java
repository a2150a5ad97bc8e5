package io.lambdaplatform.serving;

import io.lambdaplatform.viewstore.BatchVersion;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * The answer to one request for several products: each product's windows with events, as its own
 * {@link MetricsAnswer} would have them, all merged under one batch pointer and one coverage.
 *
 * @param products     each product asked for, in the order asked, with its windows oldest first (empty: no events)
 * @param batchVersion the batch version merged in, {@code null} before the first batch run
 * @param views which views the answer comes from (mode, and the set of views in Kappa mode)
 */
public record ProductsAnswer(
        WindowRange range,
        Map<String, List<MergedWindow>> products,
        BatchVersion batchVersion,
        SpeedCoverage speed,
        List<IngestGap> gaps,
        ViewsUsed views) implements CoveredAnswer {

    public ProductsAnswer {
        requireNonNull(views, "views is null");
        requireNonNull(range, "range is null");
        Map<String, List<MergedWindow>> copy = new LinkedHashMap<>();
        requireNonNull(products, "products is null").forEach((product, windows) -> copy.put(product, List.copyOf(windows)));
        products = Collections.unmodifiableMap(copy);
        requireNonNull(speed, "speed is null");
        gaps = List.copyOf(requireNonNull(gaps, "gaps is null"));
    }
}
