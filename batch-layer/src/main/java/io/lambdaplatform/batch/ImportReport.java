package io.lambdaplatform.batch;

import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * The outcome of one import.
 *
 * @param path             what was imported
 * @param format           how it was read
 * @param range            the manifest entry of the rows added (its {@code from} is their synthetic ingest time)
 * @param accepted         valid rows added to the master dataset
 * @param rejectedByReason invalid rows by reason code, sorted
 * @param exampleByReason  one rejection detail per reason, for the report
 * @param duration         wall time
 */
public record ImportReport(
        String path,
        ImportFormat format,
        ArchivedRange range,
        long accepted,
        SortedMap<String, Long> rejectedByReason,
        SortedMap<String, String> exampleByReason,
        Duration duration) {

    public ImportReport {
        requireNonNull(path, "path is null");
        requireNonNull(format, "format is null");
        requireNonNull(range, "range is null");
        rejectedByReason = Collections.unmodifiableSortedMap(new TreeMap<>(requireNonNull(rejectedByReason, "rejectedByReason is null")));
        exampleByReason = Collections.unmodifiableSortedMap(new TreeMap<>(requireNonNull(exampleByReason, "exampleByReason is null")));
        requireNonNull(duration, "duration is null");
    }

    public long rejected() {
        return rejectedByReason.values().stream().mapToLong(Long::longValue).sum();
    }

    /** The report as lines for the operator. */
    public String describe() {
        StringBuilder text = new StringBuilder()
                .append("Imported ").append(path).append(" (").append(format.name().toLowerCase(java.util.Locale.ROOT)).append(")\n")
                .append("  accepted: ").append(accepted).append(" rows, range ").append(range.id())
                .append(", ingest time ").append(range.from()).append('\n')
                .append("  rejected: ").append(rejected()).append(" rows\n");
        for (Map.Entry<String, Long> entry : rejectedByReason.entrySet()) {
            text.append("    ").append(entry.getKey()).append(": ").append(entry.getValue());
            String example = exampleByReason.get(entry.getKey());
            if (example != null) {
                text.append("   e.g. ").append(example);
            }
            text.append('\n');
        }
        text.append("  took ").append(duration.toMillis()).append(" ms");
        return text.toString();
    }
}
