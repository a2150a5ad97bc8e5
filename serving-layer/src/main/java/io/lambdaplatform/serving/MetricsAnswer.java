package io.lambdaplatform.serving;

import io.lambdaplatform.viewstore.BatchVersion;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * The answer to a {@link MetricsQuery}: the windows with events, oldest first, and how complete and
 * fresh they are.
 *
 * @param batchVersion the batch version merged in, {@code null} before the first batch run
 * @param speed      which ingest times the speed rows cover
 * @param gaps       ingest spans the answer needs but nothing covers; empty when the answer is complete
 * @param batchRows  batch rows read
 * @param speedRows  speed rows merged (ingest bucket at or after the cutoff)
 * @param speedRowsSuperseded speed rows read but left out because the batch view covers them
 * @param views which views the answer comes from (mode, and the set of views in Kappa mode)
 */
public record MetricsAnswer(
        MetricsQuery query,
        List<MergedWindow> windows,
        BatchVersion batchVersion,
        SpeedCoverage speed,
        List<IngestGap> gaps,
        int batchRows,
        int speedRows,
        int speedRowsSuperseded,
        ViewsUsed views) implements CoveredAnswer {

    public MetricsAnswer {
        requireNonNull(views, "views is null");
        requireNonNull(query, "query is null");
        windows = List.copyOf(requireNonNull(windows, "windows is null"));
        requireNonNull(speed, "speed is null");
        gaps = List.copyOf(requireNonNull(gaps, "gaps is null"));
    }
}
