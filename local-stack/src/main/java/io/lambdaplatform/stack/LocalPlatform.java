package io.lambdaplatform.stack;

import io.lambdaplatform.model.config.PlatformMode;
import io.lambdaplatform.stack.internal.BatchSchedule;
import io.lambdaplatform.stack.internal.ChildJvm;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;

/**
 * The whole platform on this machine, as {@code ./lambda local} runs it: the local stack in this JVM's children,
 * then the speed layer, the serving layer and the event generator, each started the way an operator starts it
 * ({@code ./lambda speed|serve|generate --stack DIR}) as a child process with its own log file, and a batch run
 * ({@code ./lambda batch --stack DIR}) on a schedule.
 *
 * <p>Every child runs under the stack's watchdog, tied to this JVM: if this JVM dies, however it dies, the
 * children stop by themselves. {@link #close()} stops them in order — generator, batch, serving, speed, then the
 * servers — each with SIGTERM first, so that Kafka Streams and Cassandra shut down cleanly.
 */
public final class LocalPlatform implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalPlatform.class);

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(250);
    /** The generator runs until stopped; at the default rate this count lasts for years. */
    private static final long GENERATOR_COUNT = 1_000_000_000_000L;

    private final LocalPlatformOptions options;
    private final RunningStack stack;
    private final List<ChildJvm> layers = new ArrayList<>();
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile ChildJvm speed;
    private volatile ChildJvm serving;
    private volatile ChildJvm generator;
    private volatile BatchSchedule batches;
    /** {@code lambda.platform.mode} as an environment variable, which overrides every file a layer reads. */
    static final String MODE_VARIABLE = "LAMBDA_PLATFORM_MODE";

    private LocalPlatform(LocalPlatformOptions options, RunningStack stack) {
        this.options = requireNonNull(options, "options is null");
        this.stack = requireNonNull(stack, "stack is null");
    }

    /**
     * Starts everything and returns once the serving layer answers {@code /v1/status}.
     *
     * @param progress receives a short line as each part comes up
     * @param batchOutcome receives one line per finished batch run
     */
    public static LocalPlatform start(LocalPlatformOptions options, Consumer<String> progress, Consumer<String> batchOutcome) {
        Instant started = Instant.now();
        requireFreePort(options.httpPort());
        progress.accept("starting Kafka, Cassandra and S3Proxy");
        RunningStack stack = LocalStack.start(StackOptions.of(options.stackDir()).withStartTimeout(options.startTimeout()));
        LocalPlatform platform = new LocalPlatform(options, stack);
        try {
            if (options.mode() == PlatformMode.KAPPA) {
                try (Admin admin = Admin.create(stack.endpoints().kafka().clientProperties())) {
                    Provisioning.keepEveryRecord(admin, stack.endpoints().eventsTopic());
                }
            }
            progress.accept("servers ready after " + LocalStack.seconds(Duration.between(started, Instant.now())) + " s; starting the speed and serving layers");
            platform.speed = platform.launch("speed", "speed", "--stack", options.stackDir().toString(), "--http-port", "0");
            platform.serving = platform.launch("serving", "serve", "--stack", options.stackDir().toString(), "--http-port", Integer.toString(options.httpPort()));
            platform.awaitFirstAnswer(Instant.now().plus(options.startTimeout()));
            progress.accept("serving layer answering after " + LocalStack.seconds(Duration.between(started, Instant.now())) + " s");
            if (options.generator()) {
                platform.generator = platform.launch("generator", "generate", "--stack", options.stackDir().toString(),
                        "--count", Long.toString(GENERATOR_COUNT), "--rate", Integer.toString(options.generatorRate()));
            }
            if (options.mode() == PlatformMode.LAMBDA) {
                platform.batches = BatchSchedule.start(
                        () -> ChildJvm.startCommand("batch", platform.command("batch", "--stack", options.stackDir().toString()), Map.of(),
                                options.logDir().resolve("batch.log")),
                        options.firstBatchAfter(), options.batchEvery(), STOP_TIMEOUT, batchOutcome);
            }
            return platform;
        }
        catch (RuntimeException e) {
            platform.close();
            throw e;
        }
    }

    public LocalPlatformOptions options() {
        return options;
    }

    public StackEndpoints endpoints() {
        return stack.endpoints();
    }

    public URI dashboard() {
        return URI.create("http://127.0.0.1:" + options.httpPort() + "/");
    }

    /** The pids of every child this platform started and runs now: servers, layers and a running batch job. */
    public List<Long> childPids() {
        List<Long> pids = new ArrayList<>();
        stack.servers().forEach(server -> pids.add(server.pid()));
        synchronized (layers) {
            layers.stream().filter(ChildJvm::isAlive).forEach(jvm -> pids.add(jvm.pid()));
        }
        if (batches != null) {
            batches.runningPid().ifPresent(pids::add);
        }
        return pids;
    }

    /**
     * Blocks until a part that should run for good exits (a server, the speed or the serving layer) and returns a
     * sentence saying which, with its log file. During {@link #close()} that is the expected end.
     */
    public String awaitFailure() throws InterruptedException {
        CompletableFuture<String> serverExit = CompletableFuture.supplyAsync(() -> {
            try {
                RunningServer server = stack.awaitServerExit();
                return server.name() + " (pid " + server.pid() + ") exited; see " + server.logFile();
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted";
            }
        });
        List<CompletableFuture<?>> exits = new ArrayList<>(List.of(serverExit, exitOf(speed), exitOf(serving)));
        try {
            return (String) CompletableFuture.anyOf(exits.toArray(CompletableFuture[]::new)).get();
        }
        catch (ExecutionException e) {
            throw new IllegalStateException("Waiting for the platform's processes failed", e.getCause());
        }
    }

    public boolean isClosing() {
        return closing.get();
    }

    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        Instant start = Instant.now();
        log.info("Stopping the platform in {}", options.dataDir());
        stop(generator);
        if (batches != null) {
            batches.close();
        }
        // The serving and speed layers stop at once: neither needs the other to shut down.
        List<ChildJvm> running = new ArrayList<>();
        for (ChildJvm jvm : new ChildJvm[] {serving, speed}) {
            if (jvm != null) {
                jvm.requestStop();
                running.add(jvm);
            }
        }
        running.forEach(jvm -> jvm.awaitStop(STOP_TIMEOUT));
        stack.close();
        log.info("Platform stopped in {} s", LocalStack.seconds(Duration.between(start, Instant.now())));
    }

    /** Fails before anything starts when another process listens on the dashboard's port. */
    private static void requireFreePort(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        }
        catch (IOException e) {
            throw new StackStartException("Port " + port + " on 127.0.0.1 is in use; pick another with --http-port (" + e.getMessage() + ")");
        }
    }

    private static CompletableFuture<String> exitOf(ChildJvm jvm) {
        return jvm.onExit().thenApply(process -> jvm.name() + " (pid " + process.pid() + ") exited with code " + process.exitValue() + "; see " + jvm.logFile());
    }

    private static void stop(ChildJvm jvm) {
        if (jvm != null) {
            jvm.requestStop();
            jvm.awaitStop(STOP_TIMEOUT);
        }
    }

    private ChildJvm launch(String name, String... arguments) {
        // Every layer of one platform runs in its mode; the generator reads no mode and ignores the variable.
        ChildJvm jvm = ChildJvm.startCommand(name, command(arguments), Map.of(MODE_VARIABLE, options.mode().label()), logFile(name));
        synchronized (layers) {
            layers.add(jvm);
        }
        log.info("Started {} (pid {}, log {})", name, jvm.pid(), jvm.logFile());
        return jvm;
    }

    private List<String> command(String... arguments) {
        List<String> command = new ArrayList<>();
        command.add(options.home().resolve("lambda").toString());
        command.addAll(List.of(arguments));
        return command;
    }

    private Path logFile(String name) {
        return options.logDir().resolve(name + ".log");
    }

    /** Polls {@code /v1/status} until it answers 200; fails early when the speed or serving layer exits. */
    private void awaitFirstAnswer(Instant deadline) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI status = dashboard().resolve("/v1/status");
        String last = "no answer yet";
        while (true) {
            for (ChildJvm jvm : new ChildJvm[] {speed, serving}) {
                if (!jvm.isAlive()) {
                    throw new StackStartException("The " + jvm.name() + " layer exited during start-up; see " + jvm.logFile() + ":\n" + jvm.logTail(20));
                }
            }
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(status).timeout(Duration.ofSeconds(5)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
                last = "HTTP " + response.statusCode() + " " + response.body();
            }
            catch (IOException e) {
                last = e.toString();
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StackStartException("Interrupted while waiting for the serving layer", e);
            }
            if (Instant.now().isAfter(deadline)) {
                throw new StackStartException("The serving layer did not answer " + status + " within " + options.startTimeout() + " (" + last
                        + "); see " + serving.logFile());
            }
            try {
                Thread.sleep(POLL_INTERVAL.toMillis());
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StackStartException("Interrupted while waiting for the serving layer", e);
            }
        }
    }
}
