package io.lambdaplatform.batch.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import com.typesafe.config.Config;
import io.lambdaplatform.model.EventWindow;
import io.lambdaplatform.model.cli.Entrypoint;
import io.lambdaplatform.model.config.KafkaSettings;
import io.lambdaplatform.viewstore.BatchVersion;
import io.lambdaplatform.viewstore.CassandraBatchViews;
import io.lambdaplatform.viewstore.CassandraSettings;
import io.lambdaplatform.viewstore.ViewRow;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code ./lambda bench batch}: loads {@code --events} events into the stack's {@code events} topic (1000 products, 24 h
 * of event times, 0.1 % duplicates, 0.1 % invalid), runs {@code ./lambda batch} (archive, full recompute, write,
 * publish) and DuckDB over the same master-dataset Parquet files, compares DuckDB's views with the published ones row
 * by row, and, unless {@code --no-baseline-writes}, runs the batch once more with every row written on its own
 * ({@code rows-per-batch = 1}, the write path before partition batches) to measure that path's rows/s in the same
 * run. Both are {@code --full} runs. Then it loads 1 % more events (new ids, and duplicates drawn from every id sent
 * before), runs an ordinary (incremental) {@code ./lambda batch} and compares that version with DuckDB's views too.
 * Prints a table and one line {@code batch-bench: ...} (docs/batch-layer.md, "Measured").
 *
 * <p>The batch runs get 1 s ingest buckets and no safety margin, and a record sent after the load (an invalid "tick")
 * moves the brokers' clock past the last event, so that the run's cutoff covers every event loaded.
 */
@Command(name = "bench-batch", mixinStandardHelpOptions = true,
        description = "Measures the batch layer (archive, full recompute, view writes) against DuckDB on the same Parquet files.")
public final class BatchBenchmarkMain implements Callable<Integer> {

    @Mixin
    private StackLoadOptions load;

    @Option(names = "--duckdb-threads", defaultValue = "2", description = "DuckDB's threads (default ${DEFAULT-VALUE}: the batch job's local[2]).")
    private int duckdbThreads;

    @Option(names = "--no-baseline-writes", description = "Skip the second batch run that measures one INSERT per row.")
    private boolean noBaselineWrites;

    @Option(names = "--compare-only",
            description = "Load nothing and run no batch: compute DuckDB's views for the live version's cutoff and compare them.")
    private boolean compareOnly;

    @Option(names = "--more-spread-over-day",
            description = "Give the 1 %% more events times spread over the 24 h before, like the first load (every partition is touched), "
                    + "instead of the next minutes of the stream with one in a hundred late.")
    private boolean moreSpreadOverDay;

    public static void main(String[] args) {
        Entrypoint.run(new BatchBenchmarkMain(), args);
    }

    @Override
    public Integer call() throws Exception {
        Config config = load.config();
        KafkaSettings kafka = KafkaSettings.from(config);
        CassandraSettings cassandra = CassandraSettings.from(config);
        Path masterDir = load.masterDir(config);
        Path work = load.workDir("lambda-bench-batch");
        if (compareOnly) {
            BatchVersion live;
            try (CqlSession session = cassandra.connect()) {
                live = new CassandraBatchViews(session, cassandra.keyspace()).current()
                        .orElseThrow(() -> new IllegalStateException("No batch version is published yet"));
            }
            System.out.printf(Locale.ROOT, "Comparing live version %d (cutoff %s) with DuckDB%n", live.version(), live.cutoff());
            return compare(masterDir, cassandra, live.version(), live.cutoff(), live.viewRows()).equal() ? Entrypoint.OK : 1;
        }

        System.out.printf(Locale.ROOT, "Loading %d events into %s ...%n", load.events(), kafka.eventsTopic());
        EventLoad.Sent sent = EventLoad.send(kafka, 0, load.events(), load.seed(), Instant.now(), EventLoad.EventTimes.DAY);
        System.out.printf(Locale.ROOT, "  sent %d records (%d duplicates, %d invalid) in %.1f s%n", sent.records(), sent.duplicates(),
                sent.invalid(), seconds(sent.took()));
        BatchRuns.tick(kafka);

        // --full: on a stack that already has a version, the first run would otherwise add to it.
        BatchRuns.Output run = runBatch(work.resolve("batch-1.log"), Map.of(), true);
        System.out.printf(Locale.ROOT, "  batch run: version %d, cutoff %s, %d view rows, %d events (log %s)%n", run.version(), run.cutoff(),
                run.viewRows(), run.eventsCounted(), work.resolve("batch-1.log"));

        Comparison comparison = compare(masterDir, cassandra, run.version(), run.cutoff(), run.viewRows());
        DuckDbViews.Result duck = comparison.duck();
        boolean equal = comparison.equal();

        BatchRuns.Output baseline = null;
        if (!noBaselineWrites) {
            BatchRuns.tick(kafka);
            baseline = runBatch(work.resolve("batch-baseline.log"), Map.of("LAMBDA_BATCH_VIEW__WRITES_ROWS__PER__BATCH", "1"), true);
        }

        long more = Math.max(1, load.events() / 100);
        EventLoad.EventTimes moreTimes = moreSpreadOverDay ? EventLoad.EventTimes.DAY : EventLoad.EventTimes.continuing(0.01);
        System.out.printf(Locale.ROOT, "Loading %d more events (1 %%), event times %s ...%n", more, moreSpreadOverDay
                ? "spread over the 24 h before, like the first load"
                : "in the " + moreTimes.span().toSeconds() + " s before, as the stream goes on, one in " + moreTimes.lateEvery()
                        + " late (up to 24 h)");
        EventLoad.Sent moreSent = EventLoad.send(kafka, load.events(), more, load.seed() + 1, Instant.now(), moreTimes);
        BatchRuns.tick(kafka);
        BatchRuns.Output incremental = runBatch(work.resolve("batch-incremental.log"), Map.of(), false);
        System.out.printf(Locale.ROOT, "  batch run: %s, version %d, cutoff %s, %d new records, %d view rows, %d events (log %s)%n",
                incremental.kind(), incremental.version(), incremental.cutoff(), incremental.recordsRead(), incremental.viewRows(),
                incremental.eventsCounted(), work.resolve("batch-incremental.log"));
        Comparison incrementalComparison = compare(masterDir, cassandra, incremental.version(), incremental.cutoff(), incremental.viewRows());
        boolean incrementalRan = incremental.kind().startsWith("incremental");
        if (!incrementalRan) {
            System.out.println("  the run after 1 % more events recomputed in full; see its log");
        }
        equal = equal && incrementalComparison.equal();

        double archiveSeconds = run.archiveMillis() / 1000.0;
        double fullSeconds = run.aggregateMillis() / 1000.0;
        double duckSeconds = seconds(duck.took());
        System.out.println();
        System.out.printf(Locale.ROOT, "| %-52s | %8s | %10s | %10s |%n", "stage", "s", "rows", "rows/s");
        row("load: producer to Kafka", seconds(sent.took()), sent.records());
        row("archive: Kafka to Parquet on S3", archiveSeconds, run.archived());
        row("full recompute: Parquet to view rows, no writes", fullSeconds, run.recordsRead());
        row("DuckDB, " + duckdbThreads + " threads: same Parquet to same view rows", duckSeconds, duck.recordsRead());
        row("write views: partition batches", run.writeMillis() / 1000.0, run.viewRows());
        if (baseline != null) {
            row("write views: one INSERT per row (second run)", baseline.writeMillis() / 1000.0, baseline.viewRows());
        }
        double incrementalSeconds = incremental.aggregateMillis() / 1000.0;
        row("incremental: new records to view rows, no writes", incrementalSeconds, incremental.recordsRead());
        row("incremental: write the touched partitions", incremental.writeMillis() / 1000.0, incremental.rowsWritten());
        row("incremental: whole recompute stage", incremental.recomputeMillis() / 1000.0, incremental.recordsRead());
        System.out.printf(Locale.ROOT, "incremental: %s; %d more events sent in %.1f s; aggregate %.1f s = %.0f %% of the full recompute's %.1f s; "
                        + "%d of the version's %d rows written, the rest shared; whole run %.1f s (JVM start, archive, plan, aggregate, write, "
                        + "publish)%n", incremental.kind(), moreSent.records(), seconds(moreSent.took()), incrementalSeconds,
                100 * incrementalSeconds / fullSeconds, fullSeconds, incremental.rowsWritten(), incremental.viewRows(), seconds(incremental.wall()));
        if (baseline != null) {
            System.out.printf(Locale.ROOT, "writes: %d rows/s with partition batches, %d rows/s with one INSERT per row: %.1fx%n",
                    run.writeRowsPerSecond(), baseline.writeRowsPerSecond(), (double) run.writeRowsPerSecond() / baseline.writeRowsPerSecond());
        }
        System.out.printf(Locale.ROOT, "batch-bench: events=%d archive_s=%.1f full_s=%.1f duckdb_s=%.1f ratio=%.1f incremental_s=%s write_rows_per_s=%d views_equal=%s%n",
                load.events(), archiveSeconds, fullSeconds, duckSeconds, fullSeconds / duckSeconds,
                incrementalRan ? String.format(Locale.ROOT, "%.1f", incrementalSeconds) : "na", run.writeRowsPerSecond(), equal);
        return equal && incrementalRan ? Entrypoint.OK : 1;
    }

    /** DuckDB's views and whether they equal the published version's rows. */
    record Comparison(DuckDbViews.Result duck, boolean equal) {}

    private Comparison compare(Path masterDir, CassandraSettings cassandra, long version, Instant cutoff, long viewRows)
            throws IOException, SQLException {
        DuckDbViews.Result duck = new DuckDbViews(masterDir, duckdbThreads).compute(cutoff);
        ViewTable published = published(cassandra, version);
        List<String> differences = duck.views().differences(published, 5);
        boolean equal = duck.views().sameRows(published) && published.size() == viewRows;
        System.out.printf(Locale.ROOT, "  DuckDB (%s): %d records, %d view rows, %d events in %.1f s; published version %d: %d view rows,"
                        + " %d events; equal: %s%n", duck.typed() ? "typed columns" : "judging the raw JSON", duck.recordsRead(),
                duck.views().size(), duck.views().events(), seconds(duck.took()), version,
                published.size(), published.events(), equal);
        differences.forEach(line -> System.out.println("    differs: " + line));
        return new Comparison(duck, equal);
    }

    private static void row(String stage, double seconds, long rows) {
        System.out.printf(Locale.ROOT, "| %-52s | %8.1f | %10d | %10.0f |%n", stage, seconds, rows, rows / Math.max(seconds, 1e-3));
    }

    private BatchRuns.Output runBatch(Path log, Map<String, String> environment, boolean full) throws IOException, InterruptedException {
        return BatchRuns.run(load.lambda(), load.stackDir(), log, environment, full);
    }

    /** Every row of the published version, read back from Cassandra through its partitions, wherever they are stored. */
    private static ViewTable published(CassandraSettings settings, long version) {
        ViewTable table = new ViewTable();
        try (CqlSession session = settings.connect()) {
            CassandraBatchViews views = new CassandraBatchViews(session, settings.keyspace());
            List<String> products = List.copyOf(views.products(version));
            // A few products at a time: the rows' sketches are read too, and only the exact measures are kept.
            for (int from = 0; from < products.size(); from += 50) {
                for (ViewRow row : views.rows(version, products.subList(from, Math.min(products.size(), from + 50)))) {
                    EventWindow window = row.key().window();
                    table.put(new ViewTable.Cell(row.key().productId(), window.granularity().label(), window.start()),
                            new ViewTable.Aggregate(row.metrics().eventCount(), row.metrics().revenue(), row.metrics().durationSumMs()));
                }
            }
        }
        return table;
    }

    private static double seconds(Duration duration) {
        return duration.toNanos() / 1e9;
    }
}
