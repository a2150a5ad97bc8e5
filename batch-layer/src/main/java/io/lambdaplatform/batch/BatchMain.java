package io.lambdaplatform.batch;

import io.lambdaplatform.batch.internal.KafkaIngestLog;
import io.lambdaplatform.batch.internal.LeaseKeeper;
import com.typesafe.config.Config;
import io.lambdaplatform.model.RuleSettings;
import io.lambdaplatform.model.cli.ConfigSourceOptions;
import io.lambdaplatform.model.cli.Entrypoint;
import io.lambdaplatform.viewstore.BatchVersion;
import io.lambdaplatform.viewstore.BatchViews;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The batch layer's command line, run by {@code spark-submit --class io.lambdaplatform.batch.BatchMain} (or by
 * {@code ./lambda batch}, which runs the same jar through SparkSubmit in local mode).
 *
 * <pre>
 * batch [--stack DIR | --config FILE] [--accept-log-holes] [--full]  one archive + recompute run (incremental
 *                                                          when exact; --full recomputes from the whole master dataset)
 * batch rollback [--stack DIR | --config FILE]            point readers back at the previous version
 * batch import PATH [--format json|parquet] [...]         add event files to the master dataset
 * batch archive [--stack DIR | --config FILE]             only the archive step: Kafka to the master dataset (Kappa mode)
 * batch replay-feed --topic T [--stack DIR | ...]         the master dataset into topic T, for ./lambda replay
 * </pre>
 *
 * Each but {@code replay-feed} (which only reads the master dataset) takes the batch lease first: while another run, import or rollback holds it, the command fails at once
 * ("another batch run holds the lease: HOLDER since TIME"). Exit code 0 once the new version is live (or the live
 * one already covers the cutoff), 1 on failure, 2 on bad usage.
 */
@Command(name = "batch", mixinStandardHelpOptions = true, version = "lambda batch 0.1.0",
        description = "Archive events to the master dataset and publish a new version of the batch views.",
        subcommands = {BatchMain.Rollback.class, BatchMain.Import.class, BatchMain.Archive.class, BatchMain.Feed.class})
public final class BatchMain implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(BatchMain.class);

    @Mixin
    private ConfigSourceOptions source;

    @Option(names = "--accept-log-holes",
            description = "Archive past records the log deleted before they were archived, recording them as holes "
                    + "(answers covering them say complete: false), instead of failing. For this run only.")
    private boolean acceptLogHoles;

    @Option(names = "--full",
            description = "Recompute the views from the whole master dataset instead of adding the new records to the live "
                    + "version (lambda.batch.mode = full). For this run only.")
    private boolean full;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        Entrypoint.run(new BatchMain(), args);
    }

    @Override
    public Integer call() {
        BatchConfig loaded = BatchConfig.from(source.load());
        BatchConfig withHoles = acceptLogHoles ? loaded.withAcceptLogHoles(true) : loaded;
        BatchConfig config = full ? withHoles.withRecompute(withHoles.recompute().withFull(true)) : withHoles;
        PrintWriter out = spec.commandLine().getOut();
        return leased(config, (spark, factory, lease) -> {
            BatchRunSummary summary = BatchRun.run(spark, config, factory, new KafkaIngestLog(config.kafka()), Clock.systemUTC(),
                    lease::requireHeld);
            out.println(summary.describe());
            out.flush();
            LOG.info("Batch run done: version {} live with cutoff {}", summary.live().version(), summary.cutoff());
            return 0;
        });
    }

    /** What a command does with the batch lease held and a Spark session started. */
    @FunctionalInterface
    private interface LeasedWork {
        int run(SparkSession spark, CassandraBatchViewsFactory factory, LeaseKeeper lease);
    }

    /**
     * Applies the schema, takes the batch lease before Spark starts (a second command fails at once), starts the session,
     * runs {@code work}, and stops both; a lost lease cancels the session's jobs.
     */
    private static int leased(BatchConfig config, LeasedWork work) {
        CassandraBatchViewsFactory factory = CassandraBatchViewsFactory.of(config);
        AtomicReference<SparkSession> spark = new AtomicReference<>();
        try {
            factory.applySchema(config.replicationFactor());
            try (LeaseKeeper lease = LeaseKeeper.take(factory.open(), config.leaseTtl(), Clock.systemUTC(),
                    () -> Optional.ofNullable(spark.get()).ifPresent(session -> session.sparkContext().cancelAllJobs()))) {
                spark.set(session(config));
                return work.run(spark.get(), factory, lease);
            }
        }
        finally {
            Optional.ofNullable(spark.get()).ifPresent(SparkSession::stop);
            CassandraBatchViewsFactory.closeAll();
        }
    }

    /** The session of the job: what spark-submit set, plus S3A and committer settings from the configuration. */
    static SparkSession session(BatchConfig config) {
        SparkSession.Builder builder = SparkSession.builder().appName("lambda-batch");
        config.sparkSettings().forEach(builder::config);
        LOG.info("Master dataset {}, object store {}", config.masterPath(), config.s3());
        return builder.getOrCreate();
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = "Point readers back at the newest published version older than the live one.")
    static final class Rollback implements Callable<Integer> {
        @Mixin
        private ConfigSourceOptions source;

        @CommandLine.Spec
        private CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            BatchConfig config = BatchConfig.from(source.load());
            PrintWriter out = spec.commandLine().getOut();
            try {
                CassandraBatchViewsFactory factory = CassandraBatchViewsFactory.of(config);
                factory.applySchema(config.replicationFactor());
                BatchViews views = factory.open();
                try (LeaseKeeper lease = LeaseKeeper.take(views, config.leaseTtl(), Clock.systemUTC(), () -> {})) {
                    Optional<BatchVersion> before = views.current();
                    Optional<BatchVersion> after = views.rollback();
                    lease.requireHeld();
                    if (after.isEmpty()) {
                        out.println(before.map(v -> "Version " + v.version() + " is live and there is no older published version: nothing changed")
                                .orElse("No batch version is published yet: nothing to roll back"));
                        return 1;
                    }
                    out.println("Rolled back from version " + before.map(BatchVersion::version).orElse(0L) + " to version "
                            + after.get().version() + " (cutoff " + after.get().cutoff() + ")");
                    return 0;
                }
            }
            finally {
                out.flush();
                CassandraBatchViewsFactory.closeAll();
            }
        }
    }

    @Command(name = "archive", mixinStandardHelpOptions = true,
            description = "Only archive: the events below the cutoff from Kafka to the master dataset, no views. A Kappa-mode"
                    + " platform keeps its history this way, so that ./lambda replay reads it from the master dataset.")
    static final class Archive implements Callable<Integer> {
        @Mixin
        private ConfigSourceOptions source;

        @Option(names = "--accept-log-holes", description = "As for a batch run: archive past records the log deleted, recording holes.")
        private boolean acceptLogHoles;

        @CommandLine.Spec
        private CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            BatchConfig loaded = BatchConfig.from(withoutRules(source.load()));
            BatchConfig config = acceptLogHoles ? loaded.withAcceptLogHoles(true) : loaded;
            return leased(config, (spark, factory, lease) -> {
                BatchRun.Archived archived = BatchRun.archive(spark, config, factory.open(), new KafkaIngestLog(config.kafka()),
                        Clock.systemUTC(), lease::requireHeld);
                PrintWriter out = spec.commandLine().getOut();
                out.print("Archive, cutoff " + archived.cutoff() + "\n" + BatchRunSummary.describeArchive(archived.archive(),
                        archived.removedRanges()));
                out.flush();
                return 0;
            });
        }
    }

    @Command(name = "replay-feed", mixinStandardHelpOptions = true,
            description = "Write the master dataset's records of the events topic into TOPIC (which must exist, with the events"
                    + " topic's partitions), partition for partition in offset order, for ./lambda replay, which runs this itself.")
    static final class Feed implements Callable<Integer> {
        @Mixin
        private ConfigSourceOptions source;

        @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "The replay's feed topic.")
        private String topic;

        @CommandLine.Spec
        private CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            // The feed copies records and judges none: the rules are the replay's.
            BatchConfig config = BatchConfig.from(withoutRules(source.load()));
            SparkSession spark = session(config);
            try {
                ReplayFeedStage.FeedResult result = ReplayFeedStage.run(spark, config, topic, Clock.systemUTC());
                spec.commandLine().getOut().println(result.describe());
                spec.commandLine().getOut().flush();
                return 0;
            }
            finally {
                spark.stop();
            }
        }
    }

    /**
     * The configuration without {@code lambda.rules}: the archive and the feed judge nothing by them (a Kappa-mode replay of
     * new rules runs them with its own configuration).
     */
    private static Config withoutRules(Config config) {
        return config.withoutPath(RuleSettings.SECTION);
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = "Add event files (JSON lines or Parquet) to the master dataset as a back-fill.")
    static final class Import implements Callable<Integer> {
        @Mixin
        private ConfigSourceOptions source;

        @Parameters(index = "0", paramLabel = "PATH", description = "A file or directory, any Hadoop URI (s3a://, hdfs://, file:/).")
        private String path;

        @Option(names = "--format", paramLabel = "json|parquet",
                description = "File format; default: parquet for paths ending in .parquet, else json (one event per line).")
        private String format;

        @CommandLine.Spec
        private CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            BatchConfig config = BatchConfig.from(source.load());
            ImportFormat chosen = format == null ? ImportFormat.guess(path) : parseFormat(format);
            return leased(config, (spark, factory, lease) -> {
                ImportReport report = ImportStage.run(spark, config, path, chosen, Clock.systemUTC());
                lease.requireHeld();
                spec.commandLine().getOut().println(report.describe());
                spec.commandLine().getOut().flush();
                return 0;
            });
        }

        private ImportFormat parseFormat(String text) {
            try {
                return ImportFormat.valueOf(text.toUpperCase(java.util.Locale.ROOT));
            }
            catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--format must be json or parquet, was '" + text + "'");
            }
        }
    }
}
