package io.lambdaplatform.serving;

import com.datastax.oss.driver.api.core.CqlSession;
import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.model.cli.ConfigSourceOptions;
import io.lambdaplatform.model.cli.Entrypoint;
import io.lambdaplatform.viewstore.BatchVersion;
import io.lambdaplatform.viewstore.BatchViews;
import io.lambdaplatform.viewstore.CassandraBatchViews;
import io.lambdaplatform.viewstore.CassandraSettings;
import io.lambdaplatform.viewstore.CassandraSpeedViews;
import io.lambdaplatform.viewstore.SpeedViews;
import io.lambdaplatform.viewstore.ViewSchema;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./lambda bench serve}: loads realistic views for {@code --products} products into the stack's Cassandra (a published
 * batch version with 7 days of 5m, 1h and 1d windows before a cutoff {@code --batch-lag} ago, and a day of speed rows), starts the
 * serving layer in its own JVM ({@code --instances} of them, each loaded by its own wrk with an equal share of the
 * connections), loads it with wrk ({@code --connections} connections, {@code /v1/metrics} over 7 days
 * at 1h, round-robin over the products), then runs the bare-driver baseline: the store reads one such request makes,
 * through the view store's Cassandra classes, without the service, at the same concurrency. Prints both and one line
 * {@code serve-bench: ...} (docs/serving-layer.md, "Measured").
 */
@Command(name = "bench-serve", mixinStandardHelpOptions = true,
        description = "Measures /v1/metrics (7 days at 1h) under wrk against a bare Cassandra driver client.")
public final class ServeBenchmarkMain implements Callable<Integer> {

    private static final Pattern WRK_PERCENTILE = Pattern.compile("^\\s*(50|90|99)(?:\\.000)?%\\s+([0-9.]+)(us|ms|s)\\s*$");
    private static final Pattern WRK_RATE = Pattern.compile("^Requests/sec:\\s+([0-9.]+)");
    private static final Pattern WRK_NON_2XX = Pattern.compile("Non-2xx or 3xx responses:\\s+(\\d+)");
    private static final Pattern WRK_REQUESTS = Pattern.compile("^\\s*(\\d+) requests in");

    @Mixin
    private ConfigSourceOptions source;

    @Option(names = "--products", defaultValue = "20", description = "Products loaded and queried round-robin (default ${DEFAULT-VALUE}).")
    private int products;

    @Option(names = "--batch-lag", defaultValue = "PT1H",
            description = "How far the loaded batch version's cutoff lies behind now: the speed rows from it on are what every answer"
                    + " merges (12 five-minute windows of 5 one-minute buckets an hour; default ${DEFAULT-VALUE}).")
    private Duration batchLag;

    @Option(names = "--instances", defaultValue = "1",
            description = "Serving JVMs; each gets its own wrk with an equal share of the connections, as behind a round-robin "
                    + "balancer (default ${DEFAULT-VALUE}).")
    private int instances;

    @Option(names = "--connections", defaultValue = "8", description = "wrk connections and driver-client threads (default ${DEFAULT-VALUE}).")
    private int connections;

    @Option(names = "--duration", defaultValue = "PT30S", description = "Measured time of each side (default ${DEFAULT-VALUE}).")
    private Duration duration;

    @Option(names = "--warm-up", defaultValue = "PT30S",
            description = "Unmeasured load before each side, so that the serving JVM is compiled (default ${DEFAULT-VALUE}).")
    private Duration warmUp;

    @Option(names = "--no-load", description = "Query the views a previous run loaded instead of writing new ones.")
    private boolean noLoad;

    @Option(names = "--jfr", paramLabel = "FILE", description = "Record the serving JVM with Java Flight Recorder (profile settings) into FILE.")
    private Path jfr;

    @Option(names = "--server-heap", defaultValue = "512m", description = "-Xmx of the serving JVM (default ${DEFAULT-VALUE}).")
    private String serverHeap;

    @Option(names = "--no-answer-cache",
            description = "Serve every request from its own reads: no answer shared between requests of one state (lambda.serving.answer-cache.max-bytes = 0).")
    private boolean noAnswerCache;

    @Option(names = "--no-speed-cache",
            description = "Read every speed row from the batch cutoff on for every answer: none of the rows the watermark sealed kept in memory"
                    + " (lambda.serving.speed-cache.max-bytes = 0).")
    private boolean noSpeedCache;

    /**
     * One side's numbers. The CPU time per request of the side's own processes and of Cassandra, unlike its latencies,
     * barely changes with other load on the machine: it compares runs on a shared machine. {@code NaN} where unknown.
     */
    record Result(String side, long requests, double rps, double p50Ms, double p90Ms, double p99Ms, double cpuUsPerRequest,
            double cassandraCpuUsPerRequest, double answerHitRatio) {

        Result withCpu(Duration own, Duration cassandra) {
            return new Result(side, requests, rps, p50Ms, p90Ms, p99Ms, perRequest(own), perRequest(cassandra), answerHitRatio);
        }

        Result withAnswerHits(double ratio) {
            return new Result(side, requests, rps, p50Ms, p90Ms, p99Ms, cpuUsPerRequest, cassandraCpuUsPerRequest, ratio);
        }

        private double perRequest(Duration cpu) {
            return cpu == null ? Double.NaN : cpu.toNanos() / 1e3 / requests;
        }
    }

    /** CPU time used so far by some processes, to subtract one reading from another. */
    private record CpuClock(List<ProcessHandle> processes) {

        Duration used() {
            Duration total = Duration.ZERO;
            for (ProcessHandle process : processes) {
                total = total.plus(process.info().totalCpuDuration().orElse(Duration.ZERO));
            }
            return total;
        }
    }

    /** Answers the serving instances took from their answer caches and computed, so far, from their {@code /metrics}. */
    private record AnswerGets(double hits, double misses) {

        private static final Pattern GETS = Pattern.compile("^cache_gets_total\\{(?=[^}]*cache=\"answers\")[^}]*result=\"(hit|miss)\"[^}]*} (\\S+)$",
                Pattern.MULTILINE);

        static AnswerGets of(List<String> bases) throws IOException, InterruptedException {
            double hits = 0;
            double misses = 0;
            for (String base : bases) {
                Matcher gets = GETS.matcher(body(URI.create(base + "/metrics")));
                while (gets.find()) {
                    if (gets.group(1).equals("hit")) {
                        hits += Double.parseDouble(gets.group(2));
                    }
                    else {
                        misses += Double.parseDouble(gets.group(2));
                    }
                }
            }
            return new AnswerGets(hits, misses);
        }

        /** The share of the requests since {@code before} answered from the cache. */
        double hitRatioSince(AnswerGets before) {
            double all = hits + misses - before.hits - before.misses;
            return all == 0 ? 0 : (hits - before.hits) / all;
        }
    }

    public static void main(String[] args) {
        Entrypoint.run(new ServeBenchmarkMain(), args);
    }

    @Override
    public Integer call() throws Exception {
        Path wrk = onPath("wrk");
        if (wrk == null) {
            System.err.println("serve-bench: wrk is not installed (Debian/Ubuntu: apt-get install wrk)");
            return Entrypoint.USAGE;
        }
        if (source.stackDir() == null && source.configFile() == null) {
            throw new IllegalArgumentException("--stack DIR or --config FILE is required");
        }
        if (instances < 1 || instances > connections) {
            throw new IllegalArgumentException("--instances must be between 1 and --connections (" + connections + "): " + instances);
        }
        ServingConfig config = ServingConfig.from(source.load());
        CassandraSettings settings = config.cassandra();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < products; i++) {
            ids.add(String.format(Locale.ROOT, "bench-%04d", i));
        }
        Instant to = Granularity.ONE_HOUR.windowStart(Instant.now()).plus(Duration.ofHours(1));
        Instant from = to.minus(Duration.ofDays(7));
        try (CqlSession session = settings.connect()) {
            if (!noLoad) {
                ViewSchema.create(session, settings.keyspace(), config.replicationFactor());
                System.out.println("Loading: " + ViewsBenchmarkMain.load(session, settings.keyspace(), ids, 7, batchLag, 24, 5));
            }
            Result serving = serving(wrk, ids, from, to);
            Result driver = driver(session, settings.keyspace(), ids, from, to);
            System.out.printf(Locale.ROOT, "%n/v1/metrics/{product}?from=%s&to=%s&granularity=1h over %d products, %d connections, %s measured%n",
                    from, to, products, connections, duration);
            System.out.printf(Locale.ROOT, "| %-30s | %9s | %8s | %8s | %8s | %8s | %14s | %20s |%n", "side", "requests", "req/s", "p50 ms",
                    "p90 ms", "p99 ms", "CPU µs/request", "Cassandra CPU µs/req");
            for (Result result : List.of(serving, driver)) {
                System.out.printf(Locale.ROOT, "| %-30s | %9d | %8.0f | %8.2f | %8.2f | %8.2f | %14.0f | %20.0f |%n", result.side(),
                        result.requests(), result.rps(), result.p50Ms(), result.p90Ms(), result.p99Ms(), result.cpuUsPerRequest(),
                        result.cassandraCpuUsPerRequest());
            }
            System.out.printf(Locale.ROOT, "Load average during the run: %s%n", loadAverage());
            System.out.printf(Locale.ROOT, "serve-bench: rps=%.0f p50_ms=%.2f p99_ms=%.2f driver_p50_ms=%.2f driver_p99_ms=%.2f ratio_p99=%.2f"
                    + " cpu_us_per_req=%.0f cassandra_cpu_us_per_req=%.0f driver_cpu_us_per_req=%.0f driver_cassandra_cpu_us_per_req=%.0f"
                    + " answer_hit_ratio=%.3f%n",
                    serving.rps(), serving.p50Ms(), serving.p99Ms(), driver.p50Ms(), driver.p99Ms(), serving.p99Ms() / driver.p99Ms(),
                    serving.cpuUsPerRequest(), serving.cassandraCpuUsPerRequest(), driver.cpuUsPerRequest(), driver.cassandraCpuUsPerRequest(),
                    serving.answerHitRatio());
        }
        return Entrypoint.OK;
    }

    /**
     * Starts {@code --instances} serving JVMs, warms them up and measures them with one wrk each, all at once; the
     * result adds up their requests and takes the worst of their percentiles.
     */
    private Result serving(Path wrk, List<String> ids, Instant from, Instant to) throws IOException, InterruptedException {
        List<Process> servers = new ArrayList<>();
        Path script = Files.createTempFile("serve-bench", ".lua");
        try {
            List<String> bases = new ArrayList<>();
            for (int instance = 0; instance < instances; instance++) {
                int port = freePort();
                Path log = Files.createTempFile("serve-bench-server", ".log");
                System.out.println("Serving layer log: " + log);
                servers.add(startServer(port, log, instance == 0 ? jfr : null));
                bases.add("http://127.0.0.1:" + port);
                awaitReady(servers.get(instance), URI.create(bases.get(instance) + "/health/ready"), log);
            }
            StringBuilder lua = new StringBuilder("local paths = {");
            for (String id : ids) {
                lua.append('"').append(path(id, from, to)).append("\",");
            }
            lua.append("}\nlocal n = 0\nrequest = function()\n  n = n + 1\n  return wrk.format(\"GET\", paths[(n % #paths) + 1])\nend\n");
            Files.writeString(script, lua, StandardCharsets.UTF_8);
            for (String base : bases) {
                System.out.println("One answer: " + check(URI.create(base + path(ids.get(0), from, to))));
            }
            runWrk(wrk, script, bases, warmUp);
            CpuClock servingCpu = new CpuClock(servers.stream().map(Process::toHandle).toList());
            Optional<CpuClock> cassandraCpu = cassandraCpu();
            Duration servingBefore = servingCpu.used();
            Duration cassandraBefore = cassandraCpu.map(CpuClock::used).orElse(null);
            AnswerGets getsBefore = AnswerGets.of(bases);
            List<Result> each = new ArrayList<>();
            for (String output : runWrk(wrk, script, bases, duration)) {
                each.add(parseWrk(output));
            }
            Duration servingUsed = servingCpu.used().minus(servingBefore);
            Duration cassandraUsed = cassandraCpu.map(cpu -> cpu.used().minus(cassandraBefore)).orElse(null);
            double hitRatio = AnswerGets.of(bases).hitRatioSince(getsBefore);
            return new Result(instances == 1 ? "serving layer (wrk, HTTP)" : "serving layer x" + instances + " (wrk, HTTP)",
                    each.stream().mapToLong(Result::requests).sum(), each.stream().mapToDouble(Result::rps).sum(),
                    each.stream().mapToDouble(Result::p50Ms).max().orElseThrow(), each.stream().mapToDouble(Result::p90Ms).max().orElseThrow(),
                    each.stream().mapToDouble(Result::p99Ms).max().orElseThrow(), Double.NaN, Double.NaN, Double.NaN)
                    .withCpu(servingUsed, cassandraUsed)
                    .withAnswerHits(hitRatio);
        }
        finally {
            Files.deleteIfExists(script);
            for (Process server : servers) {
                server.destroy();
                if (!server.waitFor(30, TimeUnit.SECONDS)) {
                    server.destroyForcibly().waitFor();
                }
            }
        }
    }

    private Process startServer(int port, Path log, Path jfrFile) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx" + serverHeap));
        if (jfrFile != null) {
            command.add("-XX:StartFlightRecording=settings=profile,filename=" + jfrFile.toAbsolutePath());
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), ServingMain.class.getName(), "--http-port", Integer.toString(port)));
        if (source.stackDir() != null) {
            command.addAll(List.of("--stack", source.stackDir().toString()));
        }
        if (source.configFile() != null) {
            command.addAll(List.of("--config", source.configFile().toString()));
        }
        ProcessBuilder server = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        if (noAnswerCache) {
            server.environment().put("LAMBDA_SERVING_ANSWER__CACHE_MAX__BYTES", "0");
        }
        if (noSpeedCache) {
            server.environment().put("LAMBDA_SERVING_SPEED__CACHE_MAX__BYTES", "0");
        }
        return server.start();
    }

    /**
     * The baseline: {@code connections} threads each making, back to back, the store reads of one {@code /v1/metrics}
     * request on empty caches — the pointer, then its batch rows on the calling thread while the speed rows from the
     * cutoff (the same query per ingest day as the service's), the speed progress and both hole lists are read on a
     * pool — through the view store's own classes.
     */
    private Result driver(CqlSession session, String keyspace, List<String> ids, Instant from, Instant to) throws InterruptedException {
        BatchViews batch = new CassandraBatchViews(session, keyspace);
        SpeedViews speed = new CassandraSpeedViews(session, keyspace);
        ExecutorService pool = Executors.newFixedThreadPool(32);
        ExecutorService clients = Executors.newFixedThreadPool(connections);
        try {
            driverPhase(clients, pool, batch, speed, ids, from, to, warmUp);
            CpuClock ownCpu = new CpuClock(List.of(ProcessHandle.current()));
            Optional<CpuClock> cassandraCpu = cassandraCpu();
            Duration ownBefore = ownCpu.used();
            Duration cassandraBefore = cassandraCpu.map(CpuClock::used).orElse(null);
            List<Histogram> histograms = driverPhase(clients, pool, batch, speed, ids, from, to, duration);
            Duration ownUsed = ownCpu.used().minus(ownBefore);
            Duration cassandraUsed = cassandraCpu.map(cpu -> cpu.used().minus(cassandraBefore)).orElse(null);
            Histogram all = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
            histograms.forEach(all::add);
            return new Result("bare driver (view-store reads)", all.getTotalCount(), all.getTotalCount() / (duration.toMillis() / 1000.0),
                    all.getValueAtPercentile(50) / 1e6, all.getValueAtPercentile(90) / 1e6, all.getValueAtPercentile(99) / 1e6, Double.NaN, Double.NaN,
                    Double.NaN).withCpu(ownUsed, cassandraUsed);
        }
        finally {
            clients.shutdownNow();
            pool.shutdownNow();
        }
    }

    private List<Histogram> driverPhase(ExecutorService clients, ExecutorService pool, BatchViews batch, SpeedViews speed, List<String> ids,
            Instant from, Instant to, Duration length) throws InterruptedException {
        long end = System.nanoTime() + length.toNanos();
        List<CompletableFuture<Histogram>> running = new ArrayList<>();
        for (int client = 0; client < connections; client++) {
            int first = client;
            running.add(CompletableFuture.supplyAsync(() -> {
                Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
                for (int n = first; System.nanoTime() < end; n += connections) {
                    String product = ids.get(n % ids.size());
                    long start = System.nanoTime();
                    BatchVersion pointer = batch.current().orElseThrow();
                    CompletableFuture<?> speedRows = CompletableFuture.supplyAsync(() -> speed.read(product, from, to, pointer.cutoff(), Instant.now()),
                            pool);
                    CompletableFuture<?> progress = CompletableFuture.supplyAsync(speed::progress, pool);
                    CompletableFuture<?> holes = CompletableFuture.supplyAsync(speed::holes, pool);
                    CompletableFuture<?> batchHoles = CompletableFuture.supplyAsync(batch::holes, pool);
                    batch.read(pointer.version(), product, Granularity.ONE_HOUR, from, to);
                    CompletableFuture.allOf(speedRows, progress, holes, batchHoles).join();
                    histogram.recordValue(System.nanoTime() - start);
                }
                return histogram;
            }, clients));
        }
        List<Histogram> histograms = new ArrayList<>();
        for (CompletableFuture<Histogram> client : running) {
            histograms.add(client.join());
        }
        return histograms;
    }

    private static String path(String product, Instant from, Instant to) {
        return "/v1/metrics/" + product + "?from=" + from + "&to=" + to + "&granularity=1h";
    }

    private static void awaitReady(Process server, URI ready, Path log) throws InterruptedException {
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new IllegalStateException("The serving layer exited with " + server.exitValue() + "; see " + log);
            }
            try {
                if (client.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            }
            catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("The serving layer was not ready within 90 s; see " + log);
    }

    /** Asks once and says what came back, so that a benchmark of error responses cannot pass unnoticed. */
    private static String check(URI uri) throws IOException, InterruptedException {
        String body = body(uri);
        int windows = body.split("\"start\"", -1).length - 1;
        return "HTTP 200, " + windows + " windows, " + body.length() + " bytes";
    }

    private static String body(URI uri) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + uri + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    /** One wrk per base URL, all at once, each with an equal share of the connections; their outputs in order. */
    private List<String> runWrk(Path wrk, Path script, List<String> bases, Duration length) throws IOException, InterruptedException {
        int perInstance = connections / bases.size();
        List<Process> processes = new ArrayList<>();
        for (String base : bases) {
            processes.add(new ProcessBuilder(wrk.toString(), "-t" + Math.min(2, perInstance), "-c" + perInstance,
                    "-d" + Math.max(1, length.toSeconds()) + "s", "--latency", "-s", script.toString(), base + "/").redirectErrorStream(true).start());
        }
        List<String> outputs = new ArrayList<>();
        for (Process process : processes) {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.waitFor() != 0) {
                throw new IllegalStateException("wrk failed:\n" + output);
            }
            outputs.add(output);
        }
        return outputs;
    }

    private Result parseWrk(String output) {
        double p50 = Double.NaN;
        double p90 = Double.NaN;
        double p99 = Double.NaN;
        double rps = Double.NaN;
        long requests = 0;
        for (String line : output.split("\n")) {
            Matcher percentile = WRK_PERCENTILE.matcher(line);
            if (percentile.matches()) {
                double value = Double.parseDouble(percentile.group(2));
                double ms = switch (percentile.group(3)) {
                    case "us" -> value / 1000;
                    case "s" -> value * 1000;
                    default -> value;
                };
                switch (percentile.group(1)) {
                    case "50" -> p50 = ms;
                    case "90" -> p90 = ms;
                    default -> p99 = ms;
                }
            }
            Matcher rate = WRK_RATE.matcher(line);
            if (rate.find()) {
                rps = Double.parseDouble(rate.group(1));
            }
            Matcher count = WRK_REQUESTS.matcher(line);
            if (count.find()) {
                requests = Long.parseLong(count.group(1));
            }
            Matcher errors = WRK_NON_2XX.matcher(line);
            if (errors.find()) {
                throw new IllegalStateException("wrk saw " + errors.group(1) + " responses that were not 2xx:\n" + output);
            }
        }
        if (Double.isNaN(p50) || Double.isNaN(p99) || Double.isNaN(rps)) {
            throw new IllegalStateException("Cannot read wrk's output:\n" + output);
        }
        return new Result("serving layer (wrk, HTTP)", requests, rps, p50, p90, p99, Double.NaN, Double.NaN, Double.NaN);
    }

    /**
     * The CPU clock of the stack's Cassandra, found by the storage directory on its command line; empty with {@code --config}
     * (Cassandra elsewhere) or when it runs on several nodes.
     */
    private Optional<CpuClock> cassandraCpu() {
        if (source.stackDir() == null) {
            return Optional.empty();
        }
        String storage = "-Dcassandra.storagedir=" + source.stackDir().resolve("cassandra").toAbsolutePath().normalize();
        List<ProcessHandle> nodes = ProcessHandle.allProcesses().filter(process -> commandLine(process).contains(storage)).toList();
        return nodes.size() == 1 ? Optional.of(new CpuClock(nodes)) : Optional.empty();
    }

    /** The whole command line, NUL-separated, from /proc ({@link ProcessHandle.Info} gives none past 4,096 characters). */
    private static String commandLine(ProcessHandle process) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), "cmdline")), StandardCharsets.UTF_8);
        }
        catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static String loadAverage() {
        try {
            String[] fields = Files.readAllLines(Path.of("/proc/loadavg")).get(0).split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2] + " (1, 5, 15 min)";
        }
        catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static Path onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
