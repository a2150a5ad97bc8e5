package io.lambdaplatform.batch;

import io.lambdaplatform.batch.internal.KafkaIngestLog;
import io.lambdaplatform.batch.internal.LeaseKeeper;
import io.lambdaplatform.viewstore.BatchVersion;
import io.lambdaplatform.viewstore.BatchViews;
import io.lambdaplatform.viewstore.IngestHole;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One run of the batch layer: take the lease, choose the cutoff, archive what Kafka holds below it, recompute and
 * publish.
 *
 * <p>Idempotent: when the live version already has the chosen cutoff there is nothing new below it (ingest
 * times below a cutoff never change), so the run publishes nothing. One run at a time per store: the run holds the
 * batch lease from before it cleans the master dataset until after retention, publishes by compare-and-set
 * against the pointer it saw when it began, and stops (cancelling its Spark jobs) when it loses the lease.
 */
public final class BatchRun {

    private static final Logger LOG = LoggerFactory.getLogger(BatchRun.class);

    private BatchRun() {}

    public static BatchRunSummary run(SparkSession spark, BatchConfig config, BatchViewsFactory factory, Clock clock) {
        return run(spark, config, factory, new KafkaIngestLog(config.kafka()), clock);
    }

    /** Takes the batch lease for the run and gives it up at the end. */
    public static BatchRunSummary run(SparkSession spark, BatchConfig config, BatchViewsFactory factory, IngestLog log, Clock clock) {
        try (LeaseKeeper lease = LeaseKeeper.take(factory.open(), config.leaseTtl(), clock, () -> spark.sparkContext().cancelAllJobs())) {
            return run(spark, config, factory, log, clock, lease::requireHeld);
        }
    }

    /**
     * The run, for a caller that holds the batch lease.
     *
     * @param stillHeld throws when the lease was lost; called before archiving, before recording holes and before
     *                  publishing
     */
    public static BatchRunSummary run(SparkSession spark, BatchConfig config, BatchViewsFactory factory, IngestLog log, Clock clock,
            Runnable stillHeld) {
        Instant started = clock.instant();
        BatchViews views = factory.open();
        long pointerAtStart = views.current().map(BatchVersion::version).orElse(BatchViews.NO_VERSION);
        Archived archived = archive(spark, config, views, log, clock, stillHeld);
        Instant cutoff = archived.cutoff();
        Optional<BatchVersion> live = views.current();
        if (live.isPresent() && live.get().cutoff().equals(cutoff)) {
            LOG.info("Version {} already covers cutoff {}: nothing to recompute", live.get().version(), cutoff);
            return new BatchRunSummary(cutoff, archived.archive(), Optional.empty(), live.get(), archived.removedRanges(),
                    Duration.between(started, clock.instant()));
        }
        RecomputeResult recompute = RecomputeStage.run(spark, config, cutoff, factory, clock, pointerAtStart, stillHeld);
        return new BatchRunSummary(cutoff, archived.archive(), Optional.of(recompute), recompute.version(), archived.removedRanges(),
                Duration.between(started, clock.instant()));
    }

    /**
     * What the archive step of a run did ({@code ./lambda batch archive} runs only that step).
     *
     * @param cutoff        the run's cutoff: every record ingested before it is archived
     * @param archive       the range archived, empty when the master dataset already reached the cutoff
     * @param removedRanges leftover range directories of unfinished runs that the step deleted
     */
    public record Archived(Instant cutoff, Optional<ArchiveResult> archive, int removedRanges) {}

    /**
     * The archive step, for a caller that holds the batch lease: cleans the master dataset of unfinished ranges, chooses
     * the cutoff, archives what the log holds below it and records the master dataset's holes in {@code views}.
     */
    public static Archived archive(SparkSession spark, BatchConfig config, BatchViews views, IngestLog log, Clock clock,
            Runnable stillHeld) {
        Instant started = clock.instant();
        MasterDataset master = MasterDataset.at(spark, config.masterPath());
        List<String> removed = master.removeIncompleteRanges();
        Instant archivedUntil = master.archivedUntil();
        Map<Integer, PartitionLog> partitions = log.partitions();
        Optional<Instant> brokerNewest = partitions.values().stream().flatMap(partition -> partition.newest().stream())
                .max(Instant::compareTo);
        Instant cutoff = IngestCutoff.choose(started, brokerNewest, config.safetyMargin(), config.ingestBuckets(), archivedUntil);
        LOG.info("Batch run: cutoff {} (archived until {}, brokers' newest append {}, safety margin {})", cutoff, archivedUntil,
                brokerNewest.map(Instant::toString).orElse("none"), config.safetyMargin());

        Optional<ArchiveResult> archive = Optional.empty();
        if (cutoff.isAfter(archivedUntil)) {
            ArchivePlan plan = ArchivePlan.of(config.kafka().eventsTopic(), master.archivedPositions(), partitions, config.acceptLogHoles());
            stillHeld.run();
            archive = Optional.of(ArchiveStage.run(spark, config, new IngestRange(archivedUntil, cutoff), plan, log, clock));
        }
        stillHeld.run();
        List<IngestHole> holes = master.manifest().stream().flatMap(range -> range.holes().stream()).toList();
        if (!holes.isEmpty()) {
            // Every run again: a run that died between the manifest and this write leaves no hole unrecorded.
            views.recordHoles(holes);
        }
        return new Archived(cutoff, archive, removed.size());
    }
}
