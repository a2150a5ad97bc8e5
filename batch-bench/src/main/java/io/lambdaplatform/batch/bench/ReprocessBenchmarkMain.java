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
 * them twice: the batch layer's full recompute from the master dataset ({@code ./lambda batch --full}), and the streaming
 * replay of the log through the speed layer's topology into a new set of views ({@code ./lambda replay --no-switch}).
 * Prints each path's reprocessing time and events/s, peak memory (GNU {@code time}), the storage each needs to be able to
 * reprocess (the master dataset's Parquet files; the log's segments, which Kappa must retain forever), and the lines of
 * code of each path, then one line {@code reprocess-bench: ...} (docs/architecture.md, "Lambda or Kappa?").
 */
@Command(name = "bench-reprocess", mixinStandardHelpOptions = true,
        description = "Measures reprocessing all events by the batch layer's full recompute and by a Kappa replay of the log.")
public final class ReprocessBenchmarkMain implements Callable<Integer> {

    private static final Pattern CAUGHT_UP = Pattern.compile("^Caught up with the live topic: (\\d+) records in ([0-9.]+) s .*$");

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
        System.out.println("Running ./lambda replay --no-switch ...");
        Path replayLog = work.resolve("replay.log");
        BatchRuns.Process replay = BatchRuns.lambda(load.lambda(), List.of("replay", "--stack", load.stackDir().toString(), "--no-switch"),
                Map.of("LAMBDA_INGEST_BUCKET__WIDTH", "1s"), replayLog);
        if (replay.exit() != 0) {
            throw new IllegalStateException("./lambda replay exited with " + replay.exit() + "; its log: " + replayLog);
        }
        Matcher caughtUp = replay.lines().stream().map(CAUGHT_UP::matcher).filter(Matcher::matches).findFirst()
                .orElseThrow(() -> new IllegalStateException("./lambda replay printed no line like " + CAUGHT_UP + "; its log: " + replayLog));
        long replayed = Long.parseLong(caughtUp.group(1));
        double replaySeconds = Double.parseDouble(caughtUp.group(2));
        double batchSeconds = batch.recomputeMillis() / 1000.0;

        long masterBytes = bytesUnder(masterDir);
        long logBytes = topicBytes(kafka);
        Path root = load.lambda().toAbsolutePath().getParent();
        long batchLines = lines(root.resolve("batch-layer/src/main/java"));
        long speedLines = lines(root.resolve("speed-layer/src/main/java")) - lines(root.resolve("speed-layer/src/main/java/io/lambdaplatform/speed/bench"));
        long sharedLines = lines(root.resolve("common-model/src/main/java")) + lines(root.resolve("view-store/src/main/java"));

        System.out.println();
        System.out.printf(Locale.ROOT, "| %-44s | %16s | %16s |%n", "", "Lambda (batch)", "Kappa (replay)");
        System.out.printf(Locale.ROOT, "| %-44s | %16.1f | %16.1f |%n", "reprocess every event, s", batchSeconds, replaySeconds);
        System.out.printf(Locale.ROOT, "| %-44s | %16.0f | %16.0f |%n", "records/s", batch.recordsRead() / batchSeconds, replayed / replaySeconds);
        System.out.printf(Locale.ROOT, "| %-44s | %16.1f | %16.1f |%n", "whole command, s (JVM start to exit)", batch.wall().toMillis() / 1000.0,
                replay.wall().toMillis() / 1000.0);
        System.out.printf(Locale.ROOT, "| %-44s | %16d | %16d |%n", "peak memory of the process, MB", batch.peakRssKb() / 1024, replay.peakRssKb() / 1024);
        System.out.printf(Locale.ROOT, "| %-44s | %16.1f | %16.1f |%n", "storage it reprocesses from, MB", masterBytes / 1e6, logBytes / 1e6);
        System.out.printf(Locale.ROOT, "| %-44s | %16d | %16d |%n", "lines of code (main, without shared)", batchLines, speedLines);
        System.out.printf(Locale.ROOT, "shared by both paths (common-model, view-store): %d lines; Lambda runs both paths, Kappa only the replay's%n",
                sharedLines);
        System.out.printf(Locale.ROOT, "reprocess-bench: events=%d batch_s=%.1f replay_s=%.1f ratio=%.2f batch_peak_mb=%d replay_peak_mb=%d "
                        + "master_mb=%.1f log_mb=%.1f batch_loc=%d speed_loc=%d%n", load.events(), batchSeconds, replaySeconds, replaySeconds / batchSeconds,
                batch.peakRssKb() / 1024, replay.peakRssKb() / 1024, masterBytes / 1e6, logBytes / 1e6, batchLines, speedLines);
        return Entrypoint.OK;
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
