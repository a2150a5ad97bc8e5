package io.lambdaplatform.stack.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * A started child JVM (a server, or a layer of the platform). Its stdin is a pipe held open by this object: when
 * the launcher dies, the pipe closes and the child's {@link ServerWatchdog} stops it.
 */
public final class ChildJvm {
    private static final Logger log = LoggerFactory.getLogger(ChildJvm.class);

    /** The environment variable that tells {@code ./lambda} to run a layer under {@link ServerWatchdog} for this pid. */
    public static final String LAUNCHER_PID_VARIABLE = "LAMBDA_LAUNCHER_PID";
    /**
     * util-linux's {@code setsid}, where there is one: a child runs in a session and process group of its own, so that
     * Ctrl-C, which the terminal sends to every process of its foreground group, reaches the launcher alone, and the
     * launcher stops the children in order (layers first, while Kafka and Cassandra still answer). It execs the command
     * in place: the child keeps the pid this object knows.
     */
    private static final List<String> OWN_PROCESS_GROUP = Stream.of(Path.of("/usr/bin/setsid"), Path.of("/bin/setsid"))
            .filter(Files::isExecutable).findFirst().map(setsid -> List.of(setsid.toString())).orElse(List.of());

    private final String name;
    private final Path logFile;
    private final Process process;
    private final Instant startedAt;
    private volatile Instant acceptingClientsAt;
    // Held, never written: closing it (or this JVM dying) tells the child to stop.
    private final OutputStream stdin;

    private ChildJvm(String name, Path logFile, Process process, Instant startedAt) {
        this.name = requireNonNull(name, "name is null");
        this.logFile = requireNonNull(logFile, "logFile is null");
        this.process = requireNonNull(process, "process is null");
        this.startedAt = requireNonNull(startedAt, "startedAt is null");
        this.stdin = process.getOutputStream();
    }

    public static ChildJvm start(ChildJvmSpec spec) {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable().toString());
        command.addAll(spec.jvmOptions());
        command.add("-cp");
        command.add(Stream.concat(Stream.of(watchdogLocation()), spec.classpath().stream())
                .map(Path::toString)
                .collect(Collectors.joining(File.pathSeparator)));
        List<String> main = new ArrayList<>();
        main.add(ServerWatchdog.class.getName());
        main.add(Long.toString(ProcessHandle.current().pid()));
        main.add(spec.mainClass());
        main.addAll(spec.arguments());
        if (spec.argumentFile() == null) {
            command.addAll(main);
        }
        else {
            // Quoted, with \ and " escaped, as the java launcher reads an argument file.
            ConfigFiles.writeOwnerOnly(spec.argumentFile(), main.stream()
                    .map(argument -> '"' + argument.replace("\\", "\\\\").replace("\"", "\\\"") + '"')
                    .collect(Collectors.joining("\n", "", "\n")));
            command.add("@" + spec.argumentFile());
        }
        return startCommand(spec.name(), command, spec.environment(), spec.logFile());
    }

    /**
     * Starts a command that ends up running {@link ServerWatchdog} in a JVM, such as {@code ./lambda speed}, which
     * puts the watchdog in front of the layer's main class when {@link #LAUNCHER_PID_VARIABLE} is set; this method
     * sets it (and the other {@code environment} variables) to this JVM's pid. Output is appended to {@code logFile}.
     */
    public static ChildJvm startCommand(String name, List<String> command, Map<String, String> environment, Path logFile) {
        Instant startedAt = Instant.now();
        try {
            Files.createDirectories(logFile.toAbsolutePath().getParent());
            Files.writeString(logFile,
                    "[local-stack] starting " + name + " at " + startedAt + "\n[local-stack] " + String.join(" ", command) + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            ProcessBuilder builder = new ProcessBuilder(Stream.concat(OWN_PROCESS_GROUP.stream(), command.stream()).toList())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            builder.environment().putAll(environment);
            builder.environment().put(LAUNCHER_PID_VARIABLE, Long.toString(ProcessHandle.current().pid()));
            Process process = builder.start();
            log.debug("Started {} as pid {}", name, process.pid());
            return new ChildJvm(name, logFile, process, startedAt);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot start the " + name + " JVM", e);
        }
    }

    /** Runs a JVM to completion (for one-off tools such as Kafka's storage formatter); returns its exit code. */
    public static int run(ChildJvmSpec spec, Duration timeout) {
        ChildJvm jvm = start(spec);
        try {
            if (!jvm.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                jvm.kill();
                throw new IllegalStateException(spec.name() + " did not finish within " + timeout + "; see " + spec.logFile());
            }
            return jvm.process.exitValue();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            jvm.kill();
            throw new IllegalStateException("Interrupted while running " + spec.name(), e);
        }
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public Path logFile() {
        return logFile;
    }

    public Instant startedAt() {
        return startedAt;
    }

    /** Records that the server accepts clients now; the first call counts. */
    public void markAcceptingClients() {
        if (acceptingClientsAt == null) {
            acceptingClientsAt = Instant.now();
        }
    }

    /** From launching the JVM until {@link #markAcceptingClients()}, or until now if it was not called. */
    public Duration startDuration() {
        Instant end = acceptingClientsAt == null ? Instant.now() : acceptingClientsAt;
        return Duration.between(startedAt, end);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public CompletableFuture<Process> onExit() {
        return process.onExit();
    }

    /** Appends a line of the launcher's own to the server's log file. */
    public void appendToLog(String line) {
        try {
            Files.writeString(logFile, "[local-stack] " + line + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        }
        catch (IOException e) {
            log.warn("Cannot append to {}: {}", logFile, e.toString());
        }
    }

    /** Asks the server to stop cleanly (SIGTERM, which runs its shutdown hooks). */
    public void requestStop() {
        process.destroy();
    }

    /**
     * Waits until the JVM has exited; kills it and anything it started if it takes longer than {@code timeout}.
     *
     * @return true when it stopped by itself within the timeout
     */
    public boolean awaitStop(Duration timeout) {
        try {
            if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                closeStdin();
                return true;
            }
            log.warn("{} (pid {}) did not stop within {}; killing it", name, process.pid(), timeout);
            kill();
            return false;
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
            return false;
        }
    }

    /** Kills the JVM and its descendants at once, and waits for it. */
    public void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeStdin();
    }

    /** The last lines of the log file, for error messages. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        }
        catch (IOException | UncheckedIOException e) {
            return "(cannot read " + logFile + ": " + e + ")";
        }
    }

    private void closeStdin() {
        try {
            stdin.close();
        }
        catch (IOException e) {
            log.debug("Closing the stdin of {} failed", name, e);
        }
    }

    static Path javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    static Path watchdogLocation() {
        try {
            return Path.of(ServerWatchdog.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        }
        catch (URISyntaxException e) {
            throw new IllegalStateException("Cannot locate the jar of " + ServerWatchdog.class.getName(), e);
        }
    }
}
