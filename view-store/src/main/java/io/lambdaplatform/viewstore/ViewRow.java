package io.lambdaplatform.viewstore;

import io.lambdaplatform.model.Metrics;
import io.lambdaplatform.model.ViewKey;

import java.io.Serializable;

import static java.util.Objects.requireNonNull;

/** One row of a batch view: the aggregate of every covered event of one product in one window. */
public record ViewRow(ViewKey key, Metrics metrics) implements Serializable {

    public ViewRow {
        requireNonNull(key, "key is null");
        requireNonNull(metrics, "metrics is null");
    }
}
