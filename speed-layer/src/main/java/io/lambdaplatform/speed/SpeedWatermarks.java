package io.lambdaplatform.speed;

import io.lambdaplatform.viewstore.SpeedProgress;
import io.lambdaplatform.viewstore.SpeedViews;
import io.lambdaplatform.viewstore.ViewStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * The speed watermark of every partition: every record of the partition with an ingest time before it
 * is in Cassandra. Watermarks only move forward, and only on evidence that the writes they cover have
 * succeeded: a commit of the stream task after its writes ({@link #applied}), or the partition having
 * been consumed and committed up to its end offset ({@link #caughtUp}). They are written to
 * {@link SpeedViews#saveProgress} at most once per interval, and read back at start so that they and
 * {@code coveredSince} survive restarts. Thread-safe.
 */
public final class SpeedWatermarks {

    private static final Logger LOG = LoggerFactory.getLogger(SpeedWatermarks.class);

    private record Partition(Instant watermark, Instant coveredSince, boolean unsaved, Instant savedAt) {}

    private final SpeedViews views;
    private final Duration retention;
    private final Duration saveInterval;
    private final Clock clock;
    private final Map<Integer, Partition> partitions = new TreeMap<>();

    private SpeedWatermarks(SpeedViews views, Duration retention, Duration saveInterval, Clock clock) {
        this.views = requireNonNull(views, "views is null");
        this.retention = requireNonNull(retention, "retention is null");
        this.saveInterval = requireNonNull(saveInterval, "saveInterval is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** Starts from the progress already in the store, so watermarks never move back across restarts. */
    public static SpeedWatermarks load(SpeedViews views, Duration retention, Duration saveInterval, Clock clock) {
        SpeedWatermarks watermarks = new SpeedWatermarks(views, retention, saveInterval, clock);
        for (SpeedProgress progress : views.progress()) {
            watermarks.partitions.put(progress.partition(),
                    new Partition(progress.watermark(), progress.coveredSince(), false, progress.updatedAt()));
        }
        return watermarks;
    }

    /**
     * The stream task of {@code partition} has written every record it processed, the first of them
     * ingested at {@code firstIngest} and the last at {@code lastIngest}. Records arrive in ingest order,
     * so every record before {@code lastIngest} is in Cassandra.
     */
    public synchronized void applied(int partition, Instant firstIngest, Instant lastIngest) {
        advance(partition, lastIngest, firstIngest);
        saveIfDue(partition);
    }

    /**
     * Every record of the partition that existed at {@code observedAt} has been applied and committed:
     * the partition is idle, and records appended later carry a later ingest time. {@code coveredSinceIfFirst}
     * is the coverage start to record if this is the first news of the partition: {@link Instant#EPOCH}
     * when its log still starts at offset 0, {@code observedAt} otherwise.
     */
    public synchronized void caughtUp(int partition, Instant observedAt, Instant coveredSinceIfFirst) {
        advance(partition, observedAt, coveredSinceIfFirst);
        saveIfDue(partition);
    }

    public synchronized Optional<SpeedProgress> progress(int partition) {
        Partition state = partitions.get(partition);
        return state == null ? Optional.empty()
                : Optional.of(new SpeedProgress(partition, state.watermark(), state.coveredSince(), retention, state.savedAt()));
    }

    /** The lowest watermark over the partitions seen so far, which is the speed layer's watermark. */
    public synchronized Optional<Instant> lowest() {
        return partitions.values().stream().map(Partition::watermark).min(Instant::compareTo);
    }

    /** Writes every watermark that changed since it was last written and whose interval has passed. */
    public synchronized void saveDue() {
        for (Integer partition : partitions.keySet()) {
            saveIfDue(partition);
        }
    }

    /** Writes every changed watermark now, e.g. at shutdown. */
    public synchronized void saveAll() {
        for (Integer partition : partitions.keySet()) {
            if (partitions.get(partition).unsaved()) {
                save(partition);
            }
        }
    }

    private void advance(int partition, Instant candidate, Instant coveredSinceIfFirst) {
        Partition state = partitions.get(partition);
        if (state == null) {
            partitions.put(partition, new Partition(candidate, coveredSinceIfFirst, true, Instant.EPOCH));
        }
        else if (candidate.isAfter(state.watermark())) {
            partitions.put(partition, new Partition(candidate, state.coveredSince(), true, state.savedAt()));
        }
    }

    private void saveIfDue(int partition) {
        Partition state = partitions.get(partition);
        if (state.unsaved() && !clock.instant().isBefore(state.savedAt().plus(saveInterval))) {
            save(partition);
        }
    }

    private void save(int partition) {
        Partition state = partitions.get(partition);
        Instant now = clock.instant();
        try {
            views.saveProgress(new SpeedProgress(partition, state.watermark(), state.coveredSince(), retention, now));
            partitions.put(partition, new Partition(state.watermark(), state.coveredSince(), false, now));
        }
        catch (ViewStoreException e) {
            LOG.warn("Cannot save the watermark {} of partition {} yet: {}", state.watermark(), partition, e.getMessage());
        }
    }
}
