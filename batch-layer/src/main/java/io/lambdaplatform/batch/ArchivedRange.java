package io.lambdaplatform.batch;

import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * One entry of the master dataset's manifest: a range whose files are completely written. Records with
 * ingest time in {@code [from, to)}; an import has {@code from == to} (its synthetic ingest time).
 *
 * @param id        directory name below {@code events/} ({@code range=<id>})
 * @param source    {@link Source#KAFKA} for archived topic ranges, {@link Source#IMPORT} for back-fills
 * @param from      first ingest time covered
 * @param to        end of the covered ingest times (exclusive) for Kafka ranges; the ingest time of an import
 * @param records   rows written
 * @param writtenAt when the range was committed
 * @param origin    where the rows came from: the topic, or the imported path
 */
public record ArchivedRange(String id, Source source, Instant from, Instant to, long records, Instant writtenAt, String origin) {

    public enum Source { KAFKA, IMPORT }

    public ArchivedRange {
        requireNonNull(id, "id is null");
        requireNonNull(source, "source is null");
        requireNonNull(from, "from is null");
        requireNonNull(to, "to is null");
        requireNonNull(writtenAt, "writtenAt is null");
        requireNonNull(origin, "origin is null");
        if (!id.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("Range id must be letters, digits, '_', '.' and '-': " + id);
        }
        if (records < 0) {
            throw new IllegalArgumentException("records is negative: " + records);
        }
        if (to.isBefore(from)) {
            throw new IllegalArgumentException("Range " + id + " ends before it starts");
        }
    }
}
