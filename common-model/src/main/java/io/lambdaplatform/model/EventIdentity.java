package io.lambdaplatform.model;

import static java.util.Objects.requireNonNull;

/**
 * What makes two records copies of one event. Both layers drop every copy after the first ingested
 * one. Records are keyed by product, so all copies of one identity share a Kafka partition and
 * arrive in ingest order: that is what lets the speed layer agree with the batch layer on which
 * copy counts.
 */
public record EventIdentity(String productId, String eventId) implements java.io.Serializable {

    public EventIdentity {
        requireNonNull(productId, "productId is null");
        requireNonNull(eventId, "eventId is null");
    }

    /** A stable string form, e.g. for a state-store key: the product id cannot contain a '/'. */
    public String asKey() {
        return productId + "/" + eventId;
    }
}
