package io.lambdaplatform.viewstore;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * What one product task of the speed layer has written of one source partition: every record of
 * {@code sourcePartition} with ingest time before {@code watermark} that belongs to task {@code task}
 * (of {@code taskCount}, the partition count of the repartition topic) is in the speed rows.
 *
 * @param coveredSince the source partition's records are in the speed rows from this ingest time on
 * @param logBegins    the source partition never held a record ingested before this ({@link SpeedProgress#logBegins})
 */
public record SpeedTaskProgress(int sourcePartition, int task, int taskCount, Instant watermark, Instant coveredSince,
        Duration retention, Instant updatedAt, Instant logBegins) {

    public SpeedTaskProgress {
        requireNonNull(watermark, "watermark is null");
        requireNonNull(coveredSince, "coveredSince is null");
        requireNonNull(retention, "retention is null");
        requireNonNull(updatedAt, "updatedAt is null");
        requireNonNull(logBegins, "logBegins is null");
        if (sourcePartition < 0 || taskCount < 1 || task < 0 || task >= taskCount) {
            throw new IllegalArgumentException("Invalid task progress: source partition " + sourcePartition + ", task " + task + " of " + taskCount);
        }
    }

    /**
     * A task's report on a source partition it has heard nothing from yet ({@link #notYet}): its watermark. No real report
     * has it, since a real watermark is a record's ingest time or a time the partition was seen consumed to its end.
     */
    public static final Instant NOT_YET = Instant.EPOCH;

    /**
     * What a product task writes, next to its first reports, for each source partition it has heard nothing from yet:
     * that the partition exists and is not covered. Readers of the progress then flag that partition's ingest times
     * until every task has reported on it. Without this a source partition no task had reported on yet was absent
     * from the progress, and an answer the other partitions covered said it was complete while it lacked that
     * partition's events. Written with the lowest timestamp ({@link #NOT_YET} as the watermark), so it never replaces
     * a report.
     */
    public static SpeedTaskProgress notYet(int sourcePartition, int task, int taskCount, Duration retention, Instant updatedAt) {
        return new SpeedTaskProgress(sourcePartition, task, taskCount, NOT_YET, Instant.EPOCH, retention, updatedAt, Instant.EPOCH);
    }

    /** True for a {@link #notYet} report. */
    public boolean isNotYet() {
        return watermark.equals(NOT_YET);
    }

    /** Task progress of a source partition whose log start is unknown. */
    public SpeedTaskProgress(int sourcePartition, int task, int taskCount, Instant watermark, Instant coveredSince, Duration retention,
            Instant updatedAt) {
        this(sourcePartition, task, taskCount, watermark, coveredSince, retention, updatedAt, Instant.EPOCH);
    }

    /** The progress of a whole source partition as if one task wrote it: for fixtures that write views directly. */
    public static SpeedTaskProgress of(SpeedProgress progress) {
        return new SpeedTaskProgress(progress.partition(), 0, 1, progress.watermark(), progress.coveredSince(), progress.retention(),
                progress.updatedAt(), progress.logBegins());
    }

    /**
     * The progress of each source partition: over the tasks of the latest task count, the lowest watermark,
     * the latest coverage start and update, and the earliest log start (every task hears it from the same source task).
     * A source partition with a task missing may have records of that
     * task not written at any ingest time since its coverage start: its watermark is that start, so that
     * every answer needing it is flagged rather than the partition being left out. A source partition a task has
     * reported it has not heard from yet ({@link #notYet}) is {@link SpeedProgress#notYet}.
     */
    public static List<SpeedProgress> combine(Collection<SpeedTaskProgress> reports) {
        Map<Integer, List<SpeedTaskProgress>> bySource = new TreeMap<>();
        for (SpeedTaskProgress report : reports) {
            bySource.computeIfAbsent(report.sourcePartition(), p -> new ArrayList<>()).add(report);
        }
        List<SpeedProgress> combined = new ArrayList<>();
        for (Map.Entry<Integer, List<SpeedTaskProgress>> entry : bySource.entrySet()) {
            int taskCount = entry.getValue().stream().mapToInt(SpeedTaskProgress::taskCount).max().orElseThrow();
            List<SpeedTaskProgress> current = entry.getValue().stream().filter(r -> r.taskCount() == taskCount).toList();
            if (current.stream().anyMatch(SpeedTaskProgress::isNotYet)) {
                Instant updatedAt = current.stream().map(SpeedTaskProgress::updatedAt).max(Instant::compareTo).orElseThrow();
                Duration retention = current.stream().map(SpeedTaskProgress::retention).min(Duration::compareTo).orElseThrow();
                combined.add(SpeedProgress.notYet(entry.getKey(), retention, updatedAt));
                continue;
            }
            boolean everyTask = current.stream().map(SpeedTaskProgress::task).distinct().count() == taskCount;
            Instant coveredSince = current.stream().map(SpeedTaskProgress::coveredSince).max(Instant::compareTo).orElseThrow();
            Instant watermark = everyTask
                    ? current.stream().map(SpeedTaskProgress::watermark).min(Instant::compareTo).orElseThrow()
                    : coveredSince;
            Duration retention = current.stream().map(SpeedTaskProgress::retention).min(Duration::compareTo).orElseThrow();
            Instant updatedAt = current.stream().map(SpeedTaskProgress::updatedAt).max(Instant::compareTo).orElseThrow();
            Instant logBegins = current.stream().map(SpeedTaskProgress::logBegins).min(Instant::compareTo).orElseThrow();
            combined.add(new SpeedProgress(entry.getKey(), watermark, coveredSince, retention, updatedAt, logBegins));
        }
        return combined;
    }
}
