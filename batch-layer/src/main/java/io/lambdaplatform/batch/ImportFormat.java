package io.lambdaplatform.batch;

import java.util.Locale;

/** The file formats {@code batch import} reads. */
public enum ImportFormat {
    /** One JSON event per line, exactly as the {@code events} topic carries it. */
    JSON,
    /** Parquet files with columns event_id, product_id, revenue, duration_ms, event_time and optionally user_id. */
    PARQUET;

    /** Guesses from the path: {@code .parquet} is Parquet, everything else JSON lines. */
    public static ImportFormat guess(String path) {
        return path.toLowerCase(Locale.ROOT).replaceAll("/+$", "").endsWith(".parquet") ? PARQUET : JSON;
    }
}
