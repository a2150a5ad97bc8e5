package io.lambdaplatform.batch;

import io.lambdaplatform.viewstore.BatchBuild;
import io.lambdaplatform.viewstore.BatchVersion;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The outcome of one batch run.
 *
 * @param cutoff         the run's cutoff: its views cover the events ingested before it
 * @param archive        the archive step, empty when the range was empty (cutoff already archived)
 * @param recompute      the recompute, empty when the live version already has this cutoff (nothing to do)
 * @param live           the version readers see after the run
 * @param removedRanges  leftover range directories of unfinished runs that this run deleted
 * @param duration       wall time of the whole run
 */
public record BatchRunSummary(
        Instant cutoff,
        Optional<ArchiveResult> archive,
        Optional<RecomputeResult> recompute,
        BatchVersion live,
        int removedRanges,
        Duration duration) {

    public BatchRunSummary {
        requireNonNull(cutoff, "cutoff is null");
        requireNonNull(archive, "archive is null");
        requireNonNull(recompute, "recompute is null");
        requireNonNull(live, "live is null");
        requireNonNull(duration, "duration is null");
    }

    public boolean published() {
        return recompute.isPresent();
    }

    /** The summary as lines for the operator. */
    public String describe() {
        StringBuilder text = new StringBuilder();
        text.append("Batch run, cutoff ").append(cutoff).append('\n');
        text.append(describeArchive(archive, removedRanges));
        recompute.ifPresentOrElse(r -> {
            text.append("  recompute: ").append(r.build().describe())
                    .append(r.fullReason().map(reason -> " (" + reason + ")").orElse("")).append('\n');
            text.append("    records: ").append(r.recordsRead()).append(r.build().kind() == BatchBuild.Kind.FULL ? "" : " new").append(" records read, ")
                    .append(r.rejected()).append(" rejected, ")
                    .append(r.duplicatesDropped()).append(" duplicates dropped, ")
                    .append(r.eventsCounted()).append(" events, ")
                    .append(r.viewRows()).append(r.rowsWritten() == r.viewRows() ? " view rows written, "
                            : " view rows (" + r.rowsWritten() + " written, the rest shared with version " + r.build().baseVersion() + "), ")
                    .append(r.duration().toMillis()).append(" ms\n");
            text.append("    phases:  aggregate ").append(r.aggregateDuration().toMillis()).append(" ms, write ")
                    .append(r.writeDuration().toMillis()).append(" ms (").append(r.writeRowsPerSecond()).append(" rows/s)\n");
            text.append("    judged:  rules version ").append(r.rulesVersion()).append(", ").append(r.decodedRanges())
                    .append(" range(s) decoded again from raw records\n");
            for (Map.Entry<String, Long> rejected : r.rejectedByReason().entrySet()) {
                text.append("    rejected ").append(rejected.getKey()).append(": ").append(rejected.getValue()).append('\n');
            }
            if (r.removedVersions() > 0) {
                text.append("  retention: removed ").append(r.removedVersions()).append(" old version(s)\n");
            }
        }, () -> text.append("  recompute: version ").append(live.version()).append(" already covers this cutoff; nothing to do\n"));
        text.append("  live:      version ").append(live.version()).append(", cutoff ").append(live.cutoff())
                .append(", ").append(live.viewRows()).append(" rows, ").append(live.eventCount()).append(" events\n");
        text.append("  took ").append(duration.toMillis()).append(" ms");
        return text.toString();
    }

    /** The archive step's lines of the summary (also what {@code ./lambda batch archive} prints). */
    static String describeArchive(Optional<ArchiveResult> archive, int removedRanges) {
        StringBuilder text = new StringBuilder();
        archive.ifPresentOrElse(
                a -> text.append("  archive:   ").append(a.archived().records()).append(" records with ingest time in ").append(a.range())
                        .append(" -> range ").append(a.archived().id()).append(", ").append(a.duration().toMillis()).append(" ms\n"),
                () -> text.append("  archive:   nothing new below the cutoff\n"));
        if (removedRanges > 0) {
            text.append("  cleaned:   ").append(removedRanges).append(" incomplete range(s) of unfinished runs\n");
        }
        return text.toString();
    }
}
