package io.lambdaplatform.it.layers;

import io.lambdaplatform.stack.internal.LoopbackPorts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A deployable of the platform run as operators run it: {@code ./lambda <command> --stack DIR ...} in a process
 * of its own, configured by {@code LAMBDA_*} environment variables, its output appended to a log file, so that a
 * test can {@code kill -9} it, stop it with SIGTERM, or wait for it to finish. {@code ./lambda} execs the JVM, so
 * the pid is the layer's JVM.
 */
public final class LayerProcess implements AutoCloseable {

    /** Set by failsafe: the repository's {@code ./lambda} script. */
    public static final String SCRIPT_PROPERTY = "lambda.script";

    /**
     * The JVM options of every layer a test starts, before the test's own {@code LAMBDA_JAVA_OPTS}: UTC, and C1
     * only. A layer in a test lives for seconds to minutes on little data, so C2's compilations never pay off: a
     * JFR recording of one {@code ./lambda batch} showed 74 s of JIT compilation in an 80 s run on 2 cores, and C1
     * alone cut that run's CPU by 41 %. The servers of the shared stack live for the whole run and keep C2.
     */
    static final String JVM_OPTIONS = "-Duser.timezone=UTC -XX:TieredStopAtLevel=1";

    private final String name;
    private final Process process;
    private final Path log;

    private LayerProcess(String name, Process process, Path log) {
        this.name = requireNonNull(name, "name is null");
        this.process = requireNonNull(process, "process is null");
        this.log = requireNonNull(log, "log is null");
    }

    /**
     * Starts {@code ./lambda <arguments...>}.
     *
     * @param environment {@code LAMBDA_*} overrides (topic, keyspace, ...) on top of this JVM's environment; its
     *                    {@code LAMBDA_JAVA_OPTS} come after {@link #JVM_OPTIONS}
     * @param log where stdout and stderr are appended
     */
    public static LayerProcess start(String name, List<String> arguments, Map<String, String> environment, Path log) {
        return launch(name, List.of(), arguments, environment, log);
    }

    /** {@code prefix}, then the script and its {@code arguments}. */
    private static LayerProcess launch(String name, List<String> prefix, List<String> arguments, Map<String, String> environment, Path log) {
        String script = requireNonNull(System.getProperty(SCRIPT_PROPERTY), SCRIPT_PROPERTY + " is not set (failsafe sets it)");
        List<String> command = new ArrayList<>(prefix);
        command.add(script);
        command.addAll(arguments);
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            Files.writeString(log, "[it] " + String.join(" ", command) + "\n", StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().putAll(environment);
            builder.environment().merge("LAMBDA_JAVA_OPTS", JVM_OPTIONS, (own, defaults) -> defaults + " " + own);
            return new LayerProcess(name, builder.start(), log);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot start " + command, e);
        }
    }

    /** The speed layer against the stack in {@code stackDir}, health port chosen freely. */
    public static LayerProcess speed(Path stackDir, Map<String, String> environment, Path log) {
        return start("speed", List.of("speed", "--stack", stackDir.toString(), "--http-port", "0"), environment, log);
    }

    /** The serving layer against the stack in {@code stackDir}, listening on 127.0.0.1:{@code httpPort}. */
    public static LayerProcess serving(Path stackDir, int httpPort, Map<String, String> environment, Path log) {
        return start("serving", List.of("serve", "--stack", stackDir.toString(), "--http-port", Integer.toString(httpPort)), environment, log);
    }

    /**
     * {@code ./lambda local} as a user runs it, on {@code dataDir} and {@code httpPort}, with the console in
     * {@code <dataDir>.console.log}; returns once it printed its ready block, to the last line. It leads a process group
     * of its own, as a command typed in a terminal does, so that {@link #interrupt(Duration)} is a Ctrl-C.
     */
    public static LayerProcess local(Path dataDir, int httpPort, List<String> options, Duration timeout) throws IOException {
        Files.createDirectories(dataDir.toAbsolutePath().getParent());
        List<String> arguments = new ArrayList<>(List.of("local", "--data-dir", dataDir.toString(), "--http-port", Integer.toString(httpPort)));
        arguments.addAll(options);
        LayerProcess local = launch("local", List.of("setsid"), arguments, Map.of(), dataDir.resolveSibling(dataDir.getFileName() + ".console.log"));
        try {
            await("the ready block").atMost(timeout).pollInterval(Duration.ofMillis(500))
                    .failFast("./lambda local exited", () -> !local.isAlive())
                    // The block's last line: the block is printed a line at a time, and a loaded machine may pause between them.
                    .untilAsserted(() -> assertThat(local.logText()).as("console").contains("Lambda Platform is up", "  stop       Ctrl-C"));
            return local;
        }
        catch (RuntimeException | Error e) {
            try {
                local.close();
            }
            catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            throw e;
        }
    }

    /** A port that was free a moment ago, outside the range the kernel hands to other sockets meanwhile. */
    public static int freePort() {
        return LoopbackPorts.allocateOne();
    }

    /** One batch run ({@code ./lambda batch}), or {@code ./lambda batch rollback} with {@code "rollback"}. */
    public static LayerProcess batch(Path stackDir, Map<String, String> environment, Path log, String... subcommand) {
        List<String> arguments = new ArrayList<>(List.of("batch"));
        arguments.addAll(List.of(subcommand));
        arguments.addAll(List.of("--stack", stackDir.toString()));
        return start("batch", arguments, environment, log);
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path log() {
        return log;
    }

    /** {@code kill -9}: no shutdown hook runs, nothing is flushed or committed. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM, as a supervisor stops it; returns the exit code. */
    public int stop(Duration timeout) throws InterruptedException {
        process.destroy();
        return awaitExit(timeout);
    }

    /**
     * Ctrl-C in the terminal it was typed in: SIGINT to every process of its process group (which it leads, see
     * {@link #local}); returns the exit code.
     */
    public int interrupt(Duration timeout) throws InterruptedException, IOException {
        int kill = new ProcessBuilder("kill", "-INT", "--", "-" + process.pid()).inheritIO().start().waitFor();
        assertThat(kill).as("kill -INT -- -%s", process.pid()).isZero();
        return awaitExit(timeout);
    }

    /** Waits for the process to end by itself and returns its exit code; kills it after {@code timeout}. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
            throw new IllegalStateException(name + " pid " + process.pid() + " did not end within " + timeout + "; log " + log + ":\n" + logTail());
        }
        return process.exitValue();
    }

    /**
     * Waits until the log contains {@code text}; fails at once if the process exits without logging it.
     */
    public void awaitLog(String text, Duration timeout) {
        await(name + " logs \"" + text + "\"").atMost(timeout).pollInterval(Duration.ofMillis(250))
                .failFast(name + " exited without logging \"" + text + "\"; log " + log, () -> !isAlive() && !logText().contains(text))
                .until(() -> logText().contains(text));
    }

    /** The last 40 lines of the log, for failure messages. */
    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        }
        catch (IOException | UncheckedIOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    public String logText() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + log, e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }
}
