package io.lambdaplatform.viewstore;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/** The speed layer's rows, its progress per partition and its dead-letter counts. */
public interface SpeedViews {

    /**
     * Stores the delta's absolute value for its (product, window, ingest bucket), replacing what was
     * there: writing the same delta twice leaves the same row. Completes exceptionally with
     * {@link ViewStoreException} when the write fails.
     */
    CompletionStage<Void> upsert(SpeedDelta delta);

    /** The deltas of one product whose 5-minute window starts in {@code [from, to)}, over all ingest buckets. */
    List<SpeedDelta> read(String productId, Instant from, Instant to);

    /** Records that the product has speed rows, for product suggestions. Idempotent. */
    CompletionStage<Void> recordProduct(String productId);

    /** Products with live speed rows. */
    Set<String> products();

    void saveProgress(SpeedProgress progress);

    /** The last progress written for each partition. */
    List<SpeedProgress> progress();

    /** Stores the total count of dead letters of one partition and reason, replacing the previous total. */
    void saveDeadLetters(DeadLetterCount count);

    List<DeadLetterCount> deadLetters();
}
