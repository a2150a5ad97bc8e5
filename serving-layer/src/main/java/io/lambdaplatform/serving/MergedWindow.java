package io.lambdaplatform.serving;

import io.lambdaplatform.model.EventWindow;
import io.lambdaplatform.model.Metrics;

import static java.util.Objects.requireNonNull;

/**
 * One window of an answer and where its numbers come from.
 *
 * @param fromBatch the batch view's row: events ingested before the cutoff
 * @param fromSpeed the speed rows with ingest bucket at or after the cutoff, rolled up to the window
 */
public record MergedWindow(EventWindow window, Metrics fromBatch, Metrics fromSpeed) {

    public MergedWindow {
        requireNonNull(window, "window is null");
        requireNonNull(fromBatch, "fromBatch is null");
        requireNonNull(fromSpeed, "fromSpeed is null");
    }

    /** The exact aggregate of the window: batch ⊕ speed. */
    public Metrics total() {
        return fromBatch.merge(fromSpeed);
    }
}
