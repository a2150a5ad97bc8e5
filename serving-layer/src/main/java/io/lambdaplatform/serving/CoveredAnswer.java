package io.lambdaplatform.serving;

import io.lambdaplatform.viewstore.BatchVersion;

import java.util.List;
import java.util.Optional;

/** What every answer says about its coverage: the batch version merged in and the ingest spans nothing covers. */
public interface CoveredAnswer {

    /** The batch version merged in, {@code null} before the first batch run. */
    BatchVersion batchVersion();

    /** Which views the answer comes from: the mode, and in Kappa mode the set of views. */
    ViewsUsed views();

    /** Ingest spans the answer needs but nothing covers; empty when the answer is complete. */
    List<IngestGap> gaps();

    /** True when every event ingested before the speed watermark is in the numbers. */
    default boolean complete() {
        return gaps().isEmpty();
    }

    /** The batch version merged in, empty before the first batch run. */
    default Optional<BatchVersion> batch() {
        return Optional.ofNullable(batchVersion());
    }
}
