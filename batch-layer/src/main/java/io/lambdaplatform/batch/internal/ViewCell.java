package io.lambdaplatform.batch.internal;

import io.lambdaplatform.model.EventWindow;
import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.model.ViewKey;

import java.io.Serializable;
import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * A {@link ViewKey} as a Spark shuffle key. Spark partitions by {@code hashCode()}, which must agree across
 * executor JVMs; {@code ViewKey} holds a {@link Granularity} enum whose hash is per JVM, so the shuffle
 * uses the granularity's label and the window start in milliseconds instead.
 */
public record ViewCell(String productId, String granularity, long windowStartMillis) implements Serializable {

    public ViewCell {
        requireNonNull(productId, "productId is null");
        requireNonNull(granularity, "granularity is null");
    }

    public static ViewCell of(ViewKey key) {
        return new ViewCell(key.productId(), key.window().granularity().label(), key.window().start().toEpochMilli());
    }

    public ViewKey key() {
        return new ViewKey(productId, new EventWindow(Granularity.parse(granularity), Instant.ofEpochMilli(windowStartMillis)));
    }
}
