package io.lambdaplatform.stack;

import io.lambdaplatform.model.config.PlatformMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code local}: the whole platform on this machine — the stack, the speed and serving layers, the event generator
 * and a batch run on a schedule — until Ctrl-C. Prints one block once the dashboard answers; everything else goes
 * to the log files under the data directory.
 */
@Command(name = "local",
        description = "Runs the whole platform on 127.0.0.1: Kafka, Cassandra and S3Proxy, the speed and serving layers, "
                + "an event generator and a batch run on a schedule. Ctrl-C or SIGTERM stops everything; a restart on the "
                + "same data directory carries on with its data.")
public final class LocalCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(LocalCommand.class);
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);

    /** Set by {@code ./lambda}: the repository root holding the script that starts each layer. */
    public static final String HOME_PROPERTY = "lambda.home";

    @Spec
    private CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = ".lambda-local",
            description = "Data and logs of every part (default: ${DEFAULT-VALUE}). Kept across restarts.")
    private Path dataDir;

    @Option(names = "--http-port", paramLabel = "PORT", defaultValue = "" + LocalPlatformOptions.DEFAULT_HTTP_PORT,
            description = "Port of the dashboard and the HTTP API on 127.0.0.1 (default: ${DEFAULT-VALUE}).")
    private int httpPort;

    @Option(names = "--no-generator", description = "Start no event generator; send events with ./lambda generate instead.")
    private boolean noGenerator;

    @Option(names = "--rate", paramLabel = "EVENTS_PER_SECOND", defaultValue = "" + LocalPlatformOptions.DEFAULT_GENERATOR_RATE,
            description = "Events per second from the generator (default: ${DEFAULT-VALUE}).")
    private int rate;

    @Option(names = "--batch-every", paramLabel = "DURATION", defaultValue = "5m", converter = DurationConverter.class,
            description = "Time between the starts of two batch runs, e.g. 90s, 5m, 1h (default: ${DEFAULT-VALUE}).")
    private Duration batchEvery;

    @Option(names = "--first-batch-after", paramLabel = "DURATION", defaultValue = "90s", converter = DurationConverter.class,
            description = "Time from start-up to the first batch run (default: ${DEFAULT-VALUE}).")
    private Duration firstBatchAfter;

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "lambda",
            description = "lambda (default): batch runs on the schedule and the speed layer fills the gap; kappa: no batch layer, "
                    + "the speed layer's views are the answer and ./lambda replay applies a logic change.")
    private String mode;

    @Option(names = "--home", paramLabel = "DIR", hidden = true, defaultValue = "${sys:" + HOME_PROPERTY + ":-.}",
            description = "The repository root with the ./lambda script (set by ./lambda).")
    private Path home;

    @Override
    public Integer call() throws InterruptedException {
        LocalPlatformOptions options = LocalPlatformOptions.of(dataDir, home)
                .withHttpPort(httpPort)
                .withGeneratorRate(noGenerator ? 0 : rate)
                .withBatchEvery(batchEvery)
                .withFirstBatchAfter(firstBatchAfter)
                .withMode(PlatformMode.parse(mode));
        PrintWriter out = spec.commandLine().getOut();
        Instant started = Instant.now();
        LocalPlatform platform = LocalPlatform.start(options, line -> say(out, line), line -> say(out, line));

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            platform.close();
            stopped.countDown();
        }, "local-platform-shutdown"));

        printReady(out, platform, Duration.between(started, Instant.now()));
        String failure = platform.awaitFailure();
        if (platform.isClosing()) {
            stopped.await();
            return 0;
        }
        log.error("{}; stopping the platform", failure);
        out.println("lambda local: " + failure + "; stopping everything");
        out.flush();
        platform.close();
        return 1;
    }

    private static void printReady(PrintWriter out, LocalPlatform platform, Duration took) {
        LocalPlatformOptions options = platform.options();
        Instant now = Instant.now().truncatedTo(ChronoUnit.HOURS);
        String curl = "curl '" + platform.dashboard().resolve("/v1/metrics/p-0000") + "?from=" + now.minus(Duration.ofHours(24)) + "&to="
                + now.plus(Duration.ofHours(1)) + "&granularity=1h'";
        String cwd = Path.of("").toAbsolutePath().toString();
        out.println();
        out.printf("  Lambda Platform is up (%s s)%n", LocalStack.seconds(took));
        out.println("  dashboard  " + platform.dashboard());
        out.println("  query      " + curl);
        out.println("  status     curl " + platform.dashboard().resolve("/v1/status"));
        out.println("  events     " + (options.generator() ? options.generatorRate() + "/s from the generator" : "none; send some: ./lambda generate --stack " + relative(options.stackDir(), cwd)));
        if (options.mode() == PlatformMode.KAPPA) {
            out.println("  mode       kappa: no batch layer, the events topic keeps every record; apply a logic change with"
                    + " ./lambda replay --stack " + relative(options.stackDir(), cwd));
        }
        else {
            out.println("  batch      every " + options.batchEvery().toSeconds() + " s, first in " + options.firstBatchAfter().toSeconds()
                    + " s; one now: ./lambda batch --stack " + relative(options.stackDir(), cwd));
        }
        out.println("  data, logs " + relative(options.dataDir(), cwd) + "  (logs/: speed, serving, generator, batch, launcher; stack/logs/: the servers)");
        out.println("  stop       Ctrl-C; a restart on the same --data-dir carries on with its data");
        out.println();
        out.flush();
    }

    private static String relative(Path path, String cwd) {
        String text = path.toString();
        return text.startsWith(cwd + "/") ? text.substring(cwd.length() + 1) : text;
    }

    private static void say(PrintWriter out, String line) {
        out.println(LocalTime.now(ZoneOffset.UTC).format(CLOCK) + " " + line);
        out.flush();
    }

    /** {@code 90s}, {@code 5m}, {@code 1h} or an ISO-8601 duration ({@code PT5M}). */
    static final class DurationConverter implements picocli.CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return parseDuration(value);
        }
    }

    static Duration parseDuration(String value) {
        String text = value.trim().toLowerCase(Locale.ROOT);
        if (text.matches("\\d+(ms|s|m|h|d)")) {
            String unit = text.replaceAll("\\d+", "");
            long amount = Long.parseLong(text.substring(0, text.length() - unit.length()));
            return switch (unit) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
        }
        try {
            return Duration.parse(value.trim().toUpperCase(Locale.ROOT));
        }
        catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("not a duration (e.g. 90s, 5m, 1h, PT5M): " + value);
        }
    }
}
