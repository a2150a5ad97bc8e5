package io.lambdaplatform.batch.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import com.typesafe.config.Config;
import io.lambdaplatform.model.RuleSettings;
import io.lambdaplatform.model.ViewDefinition;
import io.lambdaplatform.model.cli.Entrypoint;
import io.lambdaplatform.model.config.KafkaSettings;
import io.lambdaplatform.viewstore.CassandraSettings;
import io.lambdaplatform.viewstore.CassandraViewSets;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.ReplicaInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code ./lambda bench reprocess}: the Lambda/Kappa trade-off on one stack and one set of events. Loads {@code --events}
 * events (as {@code ./lambda bench batch} does), archives them with {@code ./lambda batch}, and then reprocesses all of
 * them three times: the batch layer's full recompute from the master dataset ({@code ./lambda batch --full}); the
 * streaming replay of the log through the speed layer's topology into a new set of views ({@code ./lambda replay
 * --log-only}, which switches readers to it); and the streaming replay of the master dataset and then the log into
 * another set ({@code ./lambda replay --no-switch}: Spark writes the archive into a feed topic, the topology reads it).
 * Prints each path's reprocessing time and events/s, peak memory (GNU {@code time}), the storage each needs to be able to
 * reprocess (the master dataset's Parquet files; the log's segments, which Kappa without a master dataset must retain
 * forever), and the lines of code of each path, then one line {@code reprocess-bench: ...} (docs/architecture.md,
 * "Lambda or Kappa?").
 */
@Command(name = "bench-reprocess", mixinStandardHelpOptions = true,
        description = "Measures reprocessing all events by the batch layer's full recompute and by Kappa replays of the log and of"
                + " the master dataset.")
public final class ReprocessBenchmarkMain implements Callable<Integer> {

    private static final Pattern CAUGHT_UP = Pattern.compile("^Caught up with the live topic: (\\d+) records in ([0-9.]+) s .*$");
    private static final Pattern MASTER_DATASET = Pattern.compile("^Replayed the master dataset: (\\d+) records in ([0-9.]+) s .*$");
    private static final Pattern FEED = Pattern.compile("^Replay feed \\S+: .*, (\\d+) ms$");
    private static final Pattern FEED_RECORDS = Pattern.compile("^Replay feed \\S+: (\\d+) archived records, .*$");

    @Mixin
    private StackLoadOptions load;

    public static void main(String[] args) {
        Entrypoint.run(new ReprocessBenchmarkMain(), args);
    }

    @Override
    public Integer call() throws Exception {
        Config config = load.config();
        KafkaSettings kafka = KafkaSettings.from(config);
        CassandraSettings cassandra = CassandraSettings.from(config);
        Path masterDir = load.masterDir(config);
        Path work = load.workDir("lambda-bench-reprocess");

        System.out.printf(Locale.ROOT, "Loading %d events into %s ...%n", load.events(), kafka.eventsTopic());
        EventLoad.Sent sent = EventLoad.send(kafka, 0, load.events(), load.seed(), Instant.now(), EventLoad.EventTimes.DAY);
        System.out.printf(Locale.ROOT, "  sent %d records in %.1f s%n", sent.records(), sent.took().toMillis() / 1000.0);
        BatchRuns.tick(kafka);
        // The first run archives; the second reprocesses the master dataset it wrote, as a logic change would. It needs a
        // later cutoff, or there is nothing to do: the tick moves the brokers' clock past the first one.
        BatchRuns.Output archived = BatchRuns.run(load.lambda(), load.stackDir(), work.resolve("batch-archive.log"), Map.of(), true);
        BatchRuns.tick(kafka);
        BatchRuns.Output batch = BatchRuns.run(load.lambda(), load.stackDir(), work.resolve("batch-full.log"), Map.of(), true);
        System.out.printf(Locale.ROOT, "  batch: archived %d records; full recompute of %d records in %.1f s (%d view rows)%n",
                archived.archived(), batch.recordsRead(), batch.recomputeMillis() / 1000.0, batch.viewRows());

        // A replay needs a current set of views to replace: the platform's keyspace as set 0, as the speed layer would make it.
        try (CqlSession session = cassandra.connect()) {
            new CassandraViewSets(session, cassandra.keyspace()).initial(ViewDefinition.logicVersion(RuleSettings.NONE), RuleSettings.NONE,
                    Instant.now());
        }
        // The log alone, as the Kappa architecture replays; readers are switched, so that the next replay begins a set of its own.
        Replay fromLog = replay(work.resolve("replay-log.log"), "--log-only");
        // The master dataset (Spark writes it into a feed topic, the topology reads it), then the few records after it.
        Replay fromMaster = replay(work.resolve("replay-master.log"), "--no-switch");
        double replaySeconds = fromLog.seconds();
        long replayed = fromLog.records();
        double batchSeconds = batch.recomputeMillis() / 1000.0;

        long masterBytes = bytesUnder(masterDir);
        long logBytes = topicBytes(kafka);
        Path root = load.lambda().toAbsolutePath().getParent();
        long batchLines = lines(root.resolve("batch-layer/src/main/java"));
        long speedLines = lines(root.resolve("speed-layer/src/main/java")) - lines(root.resolve("speed-layer/src/main/java/io/lambdaplatform/speed/bench"));
        long sharedLines = lines(root.resolve("common-model/src/main/java")) + lines(root.resolve("view-store/src/main/java"));

        System.out.println();
        String row = "| %-44s | %16s | %16s | %22s |%n";
        System.out.printf(Locale.ROOT, row, "", "Lambda (batch)", "Kappa (replay log)", "Kappa (master dataset)");
        System.out.printf(Locale.ROOT, row, "reprocess every event, s", fixed(batchSeconds), fixed(replaySeconds), fixed(fromMaster.seconds()));
        System.out.printf(Locale.ROOT, row, "  of it: feed written by Spark, s", "", "", fixed(fromMaster.feedSeconds()));
        System.out.printf(Locale.ROOT, row, "records/s", whole(batch.recordsRead() / batchSeconds), whole(replayed / replaySeconds),
                whole(fromMaster.records() / fromMaster.seconds()));
        System.out.printf(Locale.ROOT, row, "whole command, s (JVM start to exit)", fixed(batch.wall().toMillis() / 1000.0),
                fixed(fromLog.process().wall().toMillis() / 1000.0), fixed(fromMaster.process().wall().toMillis() / 1000.0));
        System.out.printf(Locale.ROOT, row, "peak memory of the process, MB", batch.peakRssKb() / 1024, fromLog.process().peakRssKb() / 1024,
                fromMaster.process().peakRssKb() / 1024);
        System.out.printf(Locale.ROOT, row, "storage it reprocesses from, MB", fixed(masterBytes / 1e6), fixed(logBytes / 1e6), fixed(masterBytes / 1e6));
        System.out.printf(Locale.ROOT, row, "lines of code (main, without shared)", batchLines, speedLines, speedLines);
        System.out.printf(Locale.ROOT, "shared by both paths (common-model, view-store): %d lines; Lambda runs both paths, Kappa only the replay's%n",
                sharedLines);
        System.out.printf(Locale.ROOT, "reprocess-bench: events=%d batch_s=%.1f replay_s=%.1f ratio=%.2f batch_peak_mb=%d replay_peak_mb=%d "
                        + "master_mb=%.1f log_mb=%.1f batch_loc=%d speed_loc=%d replay_master_s=%.1f feed_s=%.1f%n", load.events(), batchSeconds,
                replaySeconds, replaySeconds / batchSeconds, batch.peakRssKb() / 1024, fromLog.process().peakRssKb() / 1024, masterBytes / 1e6,
                logBytes / 1e6, batchLines, speedLines, fromMaster.seconds(), fromMaster.feedSeconds());
        return Entrypoint.OK;
    }

    /**
     * One {@code ./lambda replay} and what it printed: the records it read and the seconds from the start of its reading to
     * caught up, over the master dataset's feed (the Spark job's own time from its summary, then the topology's) and the log.
     */
    private record Replay(BatchRuns.Process process, long records, double seconds, double feedSeconds) {}

    private Replay replay(Path log, String option) throws Exception {
        System.out.println("Running ./lambda replay " + option + " ...");
        BatchRuns.Process process = BatchRuns.lambda(load.lambda(), List.of("replay", "--stack", load.stackDir().toString(), option),
                Map.of("LAMBDA_INGEST_BUCKET__WIDTH", "1s"), log);
        if (process.exit() != 0) {
            throw new IllegalStateException("./lambda replay " + option + " exited with " + process.exit() + "; its log: " + log);
        }
        Matcher live = find(process, CAUGHT_UP, log);
        long records = Long.parseLong(live.group(1));
        double seconds = Double.parseDouble(live.group(2));
        double feedSeconds = 0;
        if (!option.equals("--log-only")) {
            Matcher feed = find(process, FEED, log);
            Matcher master = find(process, MASTER_DATASET, log);
            feedSeconds = Long.parseLong(feed.group(1)) / 1000.0;
            // The feed holds each partition's end besides the records: count the archived records it reports.
            records += Long.parseLong(find(process, FEED_RECORDS, log).group(1));
            seconds += feedSeconds + Double.parseDouble(master.group(2));
        }
        return new Replay(process, records, seconds, feedSeconds);
    }

    private static Matcher find(BatchRuns.Process process, Pattern pattern, Path log) {
        return process.lines().stream().map(pattern::matcher).filter(Matcher::matches).findFirst()
                .orElseThrow(() -> new IllegalStateException("./lambda replay printed no line like " + pattern + "; its log: " + log));
    }

    private static String fixed(double value) {
        return String.format(Locale.ROOT, "%.1f", value);
    }

    private static String whole(double value) {
        return String.format(Locale.ROOT, "%.0f", value);
    }

    /** The bytes of every file below {@code dir}. */
    private static long bytesUnder(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(file -> {
                try {
                    return Files.size(file);
                }
                catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        }
    }

    /** The bytes of the events topic's log on every broker (the segments a replay reads from). */
    private static long topicBytes(KafkaSettings kafka) throws Exception {
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            List<Integer> brokers = admin.describeCluster().nodes().get().stream().map(node -> node.id()).toList();
            long bytes = 0;
            for (Map<String, LogDirDescription> dirs : admin.describeLogDirs(brokers).allDescriptions().get().values()) {
                for (LogDirDescription dir : dirs.values()) {
                    for (Map.Entry<org.apache.kafka.common.TopicPartition, ReplicaInfo> replica : dir.replicaInfos().entrySet()) {
                        if (replica.getKey().topic().equals(kafka.eventsTopic())) {
                            bytes += replica.getValue().size();
                        }
                    }
                }
            }
            return bytes;
        }
    }

    /** Lines that are neither blank nor only a comment, in the Java files below {@code dir}. */
    private static long lines(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(file -> file.toString().endsWith(".java")).mapToLong(file -> {
                try {
                    return Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(String::strip)
                            .filter(line -> !line.isEmpty() && !line.startsWith("//") && !line.startsWith("*") && !line.startsWith("/*"))
                            .count();
                }
                catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        }
    }
}
