package io.lambdaplatform.batch;

import io.lambdaplatform.viewstore.IngestHole;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;

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
 * @param offsets   Kafka ranges: per partition, the offsets the range holds; empty for imports and for ranges
 *                  archived before ranges recorded offsets
 * @param holes     records the log had deleted before this range could archive them, accepted by the operator
 * @param ingestEff whether its files have the {@code ingest_eff} column (ranges archived before ordering by the
 *                  running maximum of LogAppendTime do not: their {@code ingest_time} stands in)
 * @param rulesVersion the {@link io.lambdaplatform.model.EventRules#VERSION} its records were judged with when they were
 *                  archived (the verdict and decoded-event columns of its files), or {@link #RAW_ONLY} for ranges
 *                  archived before the master dataset had those columns
 * @param identityFingerprints whether its files have the {@link io.lambdaplatform.batch.internal.IdentityFingerprint}
 *                  columns of its valid records (ranges archived before do not: their identities are hashed when read)
 */
public record ArchivedRange(String id, Source source, Instant from, Instant to, long records, Instant writtenAt, String origin,
        List<PartitionOffsets> offsets, List<IngestHole> holes, boolean ingestEff, int rulesVersion, boolean identityFingerprints) {

    public enum Source { KAFKA, IMPORT }

    /** The {@link #rulesVersion} of a range whose files have only the raw records. */
    public static final int RAW_ONLY = 0;

    public ArchivedRange {
        requireNonNull(id, "id is null");
        requireNonNull(source, "source is null");
        requireNonNull(from, "from is null");
        requireNonNull(to, "to is null");
        requireNonNull(writtenAt, "writtenAt is null");
        requireNonNull(origin, "origin is null");
        offsets = requireNonNull(offsets, "offsets is null").stream().sorted(Comparator.comparingInt(PartitionOffsets::partition)).toList();
        holes = List.copyOf(requireNonNull(holes, "holes is null"));
        if (!id.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("Range id must be letters, digits, '_', '.' and '-': " + id);
        }
        if (records < 0) {
            throw new IllegalArgumentException("records is negative: " + records);
        }
        if (to.isBefore(from)) {
            throw new IllegalArgumentException("Range " + id + " ends before it starts");
        }
        if (rulesVersion < RAW_ONLY) {
            throw new IllegalArgumentException("rulesVersion is negative: " + rulesVersion);
        }
        if (rulesVersion != RAW_ONLY && !ingestEff) {
            throw new IllegalArgumentException("Range " + id + " has judged records but no ingest_eff column");
        }
        if (identityFingerprints && rulesVersion == RAW_ONLY) {
            throw new IllegalArgumentException("Range " + id + " has identity fingerprints but no judged records");
        }
    }

    /** A range as written before ranges recorded offsets, holes, the ingest_eff column and the records' verdicts. */
    public ArchivedRange(String id, Source source, Instant from, Instant to, long records, Instant writtenAt, String origin) {
        this(id, source, from, to, records, writtenAt, origin, List.of(), List.of(), false, RAW_ONLY, false);
    }

    /** Whether its files hold the verdicts of {@code rules}: then a recompute reads them instead of decoding the raw records. */
    public boolean judgedWith(int rules) {
        return rulesVersion != RAW_ONLY && rulesVersion == rules;
    }

    /** Whether a recompute under {@code rules} reads its valid records' identities from their fingerprint columns. */
    public boolean fingerprintedWith(int rules) {
        return identityFingerprints && judgedWith(rules);
    }
}
