package io.lambdaplatform.batch;

import io.lambdaplatform.model.config.ConfigValues;
import io.lambdaplatform.viewstore.CassandraBatchViews;

import java.io.Serializable;
import java.time.Duration;

/**
 * How each Spark task writes its view rows: up to {@code rowsPerBatch} rows of one Cassandra partition in one
 * unlogged batch ({@code 1}: one {@code INSERT} per row), at most {@code maxInFlight} writes outstanding, each tried
 * up to {@code maxAttempts} times with exponential backoff from {@code firstBackoff}.
 */
public record ViewWriteSettings(int maxInFlight, int maxAttempts, Duration firstBackoff, int rowsPerBatch) implements Serializable {

    public static final String SECTION = BatchConfig.SECTION + ".view-writes";
    public static final ViewWriteSettings DEFAULT = new ViewWriteSettings(256, 8, Duration.ofMillis(200),
            CassandraBatchViews.WriteLimits.DEFAULT_ROWS_PER_BATCH);

    public ViewWriteSettings {
        ConfigValues.requireAtLeast(maxInFlight, 1, SECTION + ".max-in-flight");
        ConfigValues.requireAtLeast(maxAttempts, 1, SECTION + ".max-attempts");
        ConfigValues.requireNotNegative(firstBackoff, SECTION + ".first-backoff");
        ConfigValues.requireAtLeast(rowsPerBatch, 1, SECTION + ".rows-per-batch");
    }

    public CassandraBatchViews.WriteLimits limits() {
        return new CassandraBatchViews.WriteLimits(maxInFlight, maxAttempts, firstBackoff, rowsPerBatch);
    }
}
