package io.lambdaplatform.batch.bench;

import io.lambdaplatform.model.config.KafkaSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs {@code ./lambda batch} as a user does, under GNU {@code time} for its peak memory, and reads what the run printed:
 * the benchmarks' one way to drive the batch layer.
 */
final class BatchRuns {

    private static final Pattern ARCHIVE = Pattern.compile("^\\s*archive:\\s+(\\d+) records .*, (\\d+) ms$");
    private static final Pattern KIND = Pattern.compile("^\\s*recompute: (full|incremental from version \\d+)( \\(.*\\))?$");
    private static final Pattern RECOMPUTE = Pattern.compile(
            "^\\s*records: (\\d+)(?: new)? records read, (\\d+) rejected, (\\d+) duplicates dropped, (\\d+) events, (\\d+) view rows(?: written| \\((\\d+) written, the rest shared with version \\d+\\)), (\\d+) ms$");
    private static final Pattern PHASES = Pattern.compile("^\\s*phases:\\s+aggregate (\\d+) ms, write (\\d+) ms \\((\\d+) rows/s\\)$");
    private static final Pattern LIVE = Pattern.compile("^\\s*live:\\s+version (\\d+), cutoff (\\S+), (\\d+) rows, (\\d+) events$");
    private static final Pattern PEAK = Pattern.compile("^peak_rss_kb=(\\d+)$");

    /** What one run printed, and its wall time and peak resident memory (0 when GNU time is not installed). */
    record Output(String kind, long archived, long archiveMillis, long recordsRead, long rejected, long duplicates,
            long eventsCounted, long viewRows, long rowsWritten, long recomputeMillis, long aggregateMillis, long writeMillis, long writeRowsPerSecond,
            long version, Instant cutoff, Duration wall, long peakRssKb) {}

    /** A finished {@code ./lambda} command: its exit code, output lines, wall time and peak resident memory. */
    record Process(int exit, List<String> lines, Duration wall, long peakRssKb) {}

    private BatchRuns() {}

    /**
     * {@code ./lambda batch [--full] --stack STACK} with 1 s ingest buckets and no safety margin (so that the cutoff covers
     * everything loaded), and {@code environment} on top.
     */
    static Output run(Path lambda, Path stackDir, Path log, Map<String, String> environment, boolean full)
            throws IOException, InterruptedException {
        List<String> arguments = new ArrayList<>(List.of("batch", "--stack", stackDir.toString()));
        if (full) {
            arguments.add("--full");
        }
        Map<String, String> env = new HashMap<>(Map.of("LAMBDA_INGEST_BUCKET__WIDTH", "1s", "LAMBDA_BATCH_SAFETY__MARGIN", "0s"));
        env.putAll(environment);
        System.out.printf(Locale.ROOT, "Running ./lambda batch%s%s ...%n", full ? " --full" : "", environment.isEmpty() ? "" : " with " + environment);
        Process run = lambda(lambda, arguments, env, log);
        if (run.exit() != 0) {
            throw new IllegalStateException("./lambda batch exited with " + run.exit() + "; its log: " + log);
        }
        Map<Pattern, Matcher> found = new HashMap<>();
        for (String line : run.lines()) {
            for (Pattern pattern : List.of(KIND, ARCHIVE, RECOMPUTE, PHASES, LIVE)) {
                Matcher matcher = pattern.matcher(line);
                if (matcher.matches()) {
                    found.put(pattern, matcher);
                }
            }
        }
        for (Pattern pattern : List.of(KIND, ARCHIVE, RECOMPUTE, PHASES, LIVE)) {
            if (!found.containsKey(pattern)) {
                throw new IllegalStateException("./lambda batch printed no line like " + pattern + "; its log: " + log);
            }
        }
        Matcher archive = found.get(ARCHIVE);
        Matcher recompute = found.get(RECOMPUTE);
        Matcher phases = found.get(PHASES);
        Matcher live = found.get(LIVE);
        return new Output(found.get(KIND).group(1), number(archive, 1), number(archive, 2), number(recompute, 1), number(recompute, 2),
                number(recompute, 3), number(recompute, 4), number(recompute, 5),
                recompute.group(6) == null ? number(recompute, 5) : number(recompute, 6), number(recompute, 7), number(phases, 1),
                number(phases, 2), number(phases, 3), number(live, 1), Instant.parse(live.group(2)), run.wall(), run.peakRssKb());
    }

    /**
     * Runs {@code ./lambda ARGUMENTS} with its output in {@code log}; under GNU {@code time} when it is installed, which
     * reports the peak resident memory of the command (the JVM {@code ./lambda} execs).
     */
    static Process lambda(Path lambda, List<String> arguments, Map<String, String> environment, Path log)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        Path time = Path.of("/usr/bin/time");
        if (Files.isExecutable(time)) {
            command.addAll(List.of(time.toString(), "-f", "peak_rss_kb=%M"));
        }
        command.add(lambda.toString());
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        long started = System.nanoTime();
        int exit = builder.start().waitFor();
        Duration wall = Duration.ofNanos(System.nanoTime() - started);
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        long peak = 0;
        for (String line : lines) {
            Matcher matcher = PEAK.matcher(line);
            if (matcher.matches()) {
                peak = Long.parseLong(matcher.group(1));
            }
        }
        return new Process(exit, lines, wall, peak);
    }

    /**
     * Waits past the current 1 s ingest bucket, then sends the tick record (an invalid one) that moves the brokers' clock,
     * so that the next run's cutoff covers everything sent before.
     */
    static void tick(KafkaSettings kafka) throws InterruptedException {
        Thread.sleep(1500);
        EventLoad.tick(kafka);
    }

    private static long number(Matcher matcher, int group) {
        return Long.parseLong(matcher.group(group));
    }
}
