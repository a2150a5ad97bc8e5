package io.lambdaplatform.serving;

import io.lambdaplatform.viewstore.BatchBuild;
import io.lambdaplatform.viewstore.BatchVersion;
import io.lambdaplatform.viewstore.DeadLetterCount;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What {@code GET /v1/status} reports: the batch pointer, the speed layer's progress and the records
 * it dead-lettered, judged at {@code now}.
 *
 * @param batchVersion the current batch version, {@code null} before the first batch run
 * @param batchBuild   how it was computed, {@code null} when unknown (no batch run yet, or published before versions recorded it)
 * @param gaps ingest spans an answer would need but nothing covers (the same for every product)
 * @param views which views the answer comes from (mode, and the set of views in Kappa mode)
 */
public record PlatformStatus(
        Instant now,
        BatchVersion batchVersion,
        BatchBuild batchBuild,
        SpeedCoverage speed,
        List<DeadLetterCount> deadLetters,
        List<IngestGap> gaps,
        ViewsUsed views) {

    public PlatformStatus {
        requireNonNull(views, "views is null");
        requireNonNull(now, "now is null");
        requireNonNull(speed, "speed is null");
        deadLetters = List.copyOf(requireNonNull(deadLetters, "deadLetters is null"));
        gaps = List.copyOf(requireNonNull(gaps, "gaps is null"));
    }

    /** How old the batch view's coverage is: from its cutoff to now. */
    public Optional<Duration> batchAge() {
        return batch().map(version -> Duration.between(version.cutoff(), now));
    }

    public long deadLetterTotal() {
        return deadLetters.stream().mapToLong(DeadLetterCount::count).sum();
    }

    /** How the batch version was computed: a full recompute or an incremental run on another version. */
    public Optional<BatchBuild> build() {
        return Optional.ofNullable(batchBuild);
    }

    /** The batch version merged in, empty before the first batch run. */
    public Optional<BatchVersion> batch() {
        return Optional.ofNullable(batchVersion);
    }
}
