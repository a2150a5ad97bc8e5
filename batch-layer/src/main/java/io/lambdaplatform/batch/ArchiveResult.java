package io.lambdaplatform.batch;

import java.time.Duration;

import static java.util.Objects.requireNonNull;

/**
 * What one archive step did.
 *
 * @param range    the ingest range read from Kafka
 * @param archived the manifest entry written, with the record count
 * @param duration wall time of the stage
 */
public record ArchiveResult(IngestRange range, ArchivedRange archived, Duration duration) {

    public ArchiveResult {
        requireNonNull(range, "range is null");
        requireNonNull(archived, "archived is null");
        requireNonNull(duration, "duration is null");
    }
}
