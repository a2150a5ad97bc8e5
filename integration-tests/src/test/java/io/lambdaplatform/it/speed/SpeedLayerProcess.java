package io.lambdaplatform.it.speed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * The speed layer as operators run it: its runnable jar in a child JVM, configured by {@code --stack} and
 * {@code LAMBDA_*} environment variables, so that a test can {@code kill -9} it.
 */
final class SpeedLayerProcess implements AutoCloseable {

    /** Set by failsafe: the shaded jar copied from the speed-layer module. */
    static final String JAR_PROPERTY = "speed.layer.jar";

    private final Process process;
    private final Path log;

    private SpeedLayerProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static SpeedLayerProcess start(Path stackDir, Map<String, String> environment, Path log) throws IOException {
        String jar = requireNonNull(System.getProperty(JAR_PROPERTY), JAR_PROPERTY + " is not set (failsafe sets it)");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-Duser.timezone=UTC",
                "-jar", jar, "--stack", stackDir.toString(), "--http-port", "0"));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        return new SpeedLayerProcess(builder.start(), log);
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** {@code kill -9}: no shutdown hook runs, nothing is flushed or committed. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM, as a supervisor stops it; returns the exit code. */
    int stop(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
            throw new IllegalStateException("Speed layer pid " + process.pid() + " did not stop within " + timeout + "; see " + log);
        }
        return process.exitValue();
    }

    String logTail() throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
