package io.lambdaplatform.serving;

import io.lambdaplatform.model.Metrics;

import static java.util.Objects.requireNonNull;

/**
 * One product's numbers over a whole range, and where they come from.
 *
 * @param fromBatch its batch rows: events ingested before the cutoff
 * @param fromSpeed its speed rows with ingest bucket at or after the cutoff
 */
public record ProductTotal(String productId, Metrics fromBatch, Metrics fromSpeed) {

    public ProductTotal {
        requireNonNull(productId, "productId is null");
        requireNonNull(fromBatch, "fromBatch is null");
        requireNonNull(fromSpeed, "fromSpeed is null");
    }

    /** The exact aggregate: batch ⊕ speed. */
    public Metrics total() {
        return fromBatch.merge(fromSpeed);
    }
}
