package io.lambdaplatform.serving;

import io.lambdaplatform.viewstore.IngestHole;
import io.lambdaplatform.viewstore.SpeedProgress;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * Which ingest times the speed rows cover, from the progress every partition reported.
 *
 * <p>Rows exist for ingest times from {@link #coveredSince()} (the latest start over partitions) up to
 * {@link #watermark()} (the earliest progress over partitions). A row is written at or after its ingest
 * time and lives {@code retention} after its last write, so rows with ingest time at or after
 * {@code now - retention} are certainly still there; older ones may have expired.
 *
 * <p>Nothing can be missing from before a partition's log begins ({@link SpeedProgress#logBegins}: the ingest time
 * of its first record): a platform younger than the retention misses nothing, with or without a batch view. So a
 * partition lacks the ingest times {@code [max(needed, logBegins), max(coveredSince, now - retention))}, and
 * {@link #availableSince()} is where that span ends for every partition.
 *
 * <p>Records deleted from the log before the speed layer read them ({@link #holes()}) are missing from
 * the rows although the span is covered: each hole is a gap of its own.
 *
 * <p>A partition some product task has not heard from yet ({@link SpeedProgress#isNotYet}) covers nothing: from
 * {@code needed} to now is a gap, and it takes no part in the watermark and the spans above until every task has
 * reported on it.
 *
 * @param partitions what each partition reported, by partition
 * @param holes      the records the speed layer never read, by partition and offset
 * @param now        when the coverage was judged
 */
public record SpeedCoverage(List<SpeedProgress> partitions, List<IngestHole> holes, Instant now) {

    public SpeedCoverage {
        partitions = List.copyOf(requireNonNull(partitions, "partitions is null")).stream()
                .sorted(Comparator.comparingInt(SpeedProgress::partition))
                .toList();
        holes = List.copyOf(requireNonNull(holes, "holes is null")).stream()
                .sorted(Comparator.comparingInt(IngestHole::partition).thenComparingLong(IngestHole::fromOffset))
                .toList();
        requireNonNull(now, "now is null");
    }

    public SpeedCoverage(List<SpeedProgress> partitions, Instant now) {
        this(partitions, List.of(), now);
    }

    /** True once some partition has been reported on by every product task. */
    public boolean hasReported() {
        return reported().findAny().isPresent();
    }

    /** The partitions every product task has reported on. */
    private Stream<SpeedProgress> reported() {
        return partitions.stream().filter(partition -> !partition.isNotYet());
    }

    /** Every reported partition has processed every record ingested before this: the freshness of the speed rows. */
    public Optional<Instant> watermark() {
        return reported().map(SpeedProgress::watermark).min(Comparator.naturalOrder());
    }

    /** Every reported partition holds every record ingested from this on (ignoring expiry). */
    public Optional<Instant> coveredSince() {
        return reported().map(SpeedProgress::coveredSince).max(Comparator.naturalOrder());
    }

    /** Rows with ingest time before this may have expired. */
    public Optional<Instant> retainedSince() {
        return reported().map(SpeedProgress::retention).min(Comparator.naturalOrder()).map(now::minus);
    }

    /**
     * The speed rows are certainly complete for ingest times from this on (up to the watermark): {@link Instant#EPOCH}
     * when every partition's log begins after the rows it may lack.
     */
    public Optional<Instant> availableSince() {
        return reported()
                .map(partition -> lacksRows(partition) ? available(partition) : Instant.EPOCH)
                .max(Comparator.naturalOrder());
    }

    /** The partition's rows are there for ingest times from this on: covered and not expired. */
    private Instant available(SpeedProgress partition) {
        Instant retained = now.minus(partition.retention());
        return partition.coveredSince().isAfter(retained) ? partition.coveredSince() : retained;
    }

    /** True when records of the partition may be missing from its rows: some were ingested before {@link #available}. */
    private boolean lacksRows(SpeedProgress partition) {
        return partition.logBegins().isBefore(available(partition));
    }

    /**
     * The spans of ingest time from {@code needed} on that the speed rows do not cover: per partition, none
     * when they cover everything from {@code needed} or from where its log begins on, the span from there up to
     * where its rows are available otherwise (partitions with the same span give one gap), and everything from
     * {@code needed} to now when the speed layer has reported nothing yet; and, after those, every hole
     * ingested at or after {@code needed}.
     *
     * @param needed the batch cutoff, or {@link Instant#EPOCH} when there is no batch view yet
     */
    public List<IngestGap> gapsFrom(Instant needed) {
        requireNonNull(needed, "needed is null");
        List<IngestGap> gaps = new ArrayList<>(coverageGapsFrom(needed));
        for (IngestHole hole : holes) {
            // A deleted record may share the ingest time of the first record read after it: the gap includes that instant.
            Instant to = hole.toIngest().plusMillis(1);
            if (to.isAfter(needed)) {
                Instant from = hole.fromIngest().isAfter(needed) ? hole.fromIngest() : needed;
                gaps.add(new IngestGap(from, to, "records at offsets [" + hole.fromOffset() + ", " + hole.toOffset() + ") of partition "
                        + hole.partition() + " were deleted from the log before the speed layer read them"));
            }
        }
        return gaps;
    }

    private List<IngestGap> coverageGapsFrom(Instant needed) {
        if (!hasReported()) {
            return needed.isBefore(now)
                    ? List.of(new IngestGap(needed, now, "the speed layer has not reported any progress yet"))
                    : List.of();
        }
        Set<IngestGap> gaps = new LinkedHashSet<>();
        for (SpeedProgress partition : partitions) {
            if (partition.isNotYet()) {
                if (needed.isBefore(now)) {
                    gaps.add(new IngestGap(needed, now, "the speed layer has not reported progress on partition " + partition.partition()
                            + " yet"));
                }
                continue;
            }
            Instant available = available(partition);
            Instant from = needed.isAfter(partition.logBegins()) ? needed : partition.logBegins();
            if (from.isBefore(available)) {
                String reason = available.equals(partition.coveredSince())
                        ? "the speed layer holds rows only for events ingested since " + available
                                + " and no batch view covers the events before"
                        : "speed rows of events ingested before " + available + " may have expired (retention "
                                + partition.retention() + ") and no batch view covers them";
                gaps.add(new IngestGap(from, available, reason));
            }
        }
        return List.copyOf(gaps);
    }

    /** How long the shortest-lived partition keeps its rows. */
    public Optional<Duration> retention() {
        return reported().map(SpeedProgress::retention).min(Comparator.naturalOrder());
    }

    /** How far the watermark lags behind now; empty before any report. */
    public Optional<Duration> lag() {
        return watermark().map(watermark -> Duration.between(watermark, now));
    }
}
