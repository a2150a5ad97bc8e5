package io.lambdaplatform.batch;

import io.lambdaplatform.viewstore.BatchVersion;
import io.lambdaplatform.viewstore.BatchViews;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One run of the batch layer: choose the cutoff, archive what Kafka holds below it, recompute and publish.
 *
 * <p>Idempotent: when the live version already has the chosen cutoff there is nothing new below it (ingest
 * times below a cutoff never change), so the run publishes nothing. One run at a time per master dataset.
 */
public final class BatchRun {

    private static final Logger LOG = LoggerFactory.getLogger(BatchRun.class);

    private BatchRun() {}

    public static BatchRunSummary run(SparkSession spark, BatchConfig config, BatchViewsFactory factory, Clock clock) {
        Instant started = clock.instant();
        MasterDataset master = MasterDataset.at(spark, config.masterPath());
        List<String> removed = master.removeIncompleteRanges();
        Instant archivedUntil = master.archivedUntil();
        Instant cutoff = IngestCutoff.choose(started, config.safetyMargin(), config.ingestBuckets(), archivedUntil);
        LOG.info("Batch run: cutoff {} (archived until {}, safety margin {})", cutoff, archivedUntil, config.safetyMargin());

        Optional<ArchiveResult> archive = Optional.empty();
        if (cutoff.isAfter(archivedUntil)) {
            archive = Optional.of(ArchiveStage.run(spark, config, new IngestRange(archivedUntil, cutoff), clock));
        }

        BatchViews views = factory.open();
        Optional<BatchVersion> live = views.current();
        if (live.isPresent() && live.get().cutoff().equals(cutoff)) {
            LOG.info("Version {} already covers cutoff {}: nothing to recompute", live.get().version(), cutoff);
            return new BatchRunSummary(cutoff, archive, Optional.empty(), live.get(), removed.size(),
                    Duration.between(started, clock.instant()));
        }
        RecomputeResult recompute = RecomputeStage.run(spark, config, cutoff, factory, clock);
        return new BatchRunSummary(cutoff, archive, Optional.of(recompute), recompute.version(), removed.size(),
                Duration.between(started, clock.instant()));
    }
}
