package io.lambdaplatform.it.batch;

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

/**
 * Runs {@code ./lambda batch ...} as its own process, exactly as an operator would: the job jar through
 * SparkSubmit in local mode. Output goes to files under {@code logDir}, so a failing test can show it.
 */
record BatchProcess(Path repositoryRoot, Path stackDir, Path logDir, Map<String, String> environment) {

    BatchProcess {
        requireNonNull(repositoryRoot, "repositoryRoot is null");
        requireNonNull(stackDir, "stackDir is null");
        requireNonNull(logDir, "logDir is null");
        environment = Map.copyOf(requireNonNull(environment, "environment is null"));
    }

    /** The repository root: integration-tests runs in its module directory. */
    static Path findRepositoryRoot() {
        Path here = Path.of("").toAbsolutePath();
        for (Path candidate = here; candidate != null; candidate = candidate.getParent()) {
            if (Files.isRegularFile(candidate.resolve("lambda")) && Files.isDirectory(candidate.resolve("batch-layer"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("No ./lambda above " + here);
    }

    BatchProcess withEnvironment(Map<String, String> more) {
        Map<String, String> merged = new java.util.HashMap<>(environment);
        merged.putAll(more);
        return new BatchProcess(repositoryRoot, stackDir, logDir, merged);
    }

    Outcome run(String name, String... arguments) {
        Running running = start(name, arguments);
        return running.await(Duration.ofMinutes(10));
    }

    Running start(String name, String... arguments) {
        List<String> command = new ArrayList<>(List.of(repositoryRoot.resolve("lambda").toString(), "batch"));
        command.addAll(List.of(arguments));
        command.addAll(List.of("--stack", stackDir.toString()));
        Path stdout = logDir.resolve(name + ".out");
        Path stderr = logDir.resolve(name + ".err");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(repositoryRoot.toFile())
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile());
        builder.environment().putAll(environment);
        try {
            Files.createDirectories(logDir);
            return new Running(builder.start(), stdout, stderr);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot start " + command, e);
        }
    }

    record Running(Process process, Path stdout, Path stderr) {

        Outcome await(Duration timeout) {
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly().waitFor();
                    throw new AssertionError("lambda batch did not finish within " + timeout + "; log " + stderr);
                }
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
                throw new IllegalStateException("Interrupted waiting for lambda batch", e);
            }
            return new Outcome(process.exitValue(), read(stdout), stderr);
        }

        String errorOutput() {
            return read(stderr);
        }

        /** Kills the whole process tree (SparkSubmit is exec'ed by the script, so it is this process). */
        void kill() {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            try {
                process.waitFor();
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    record Outcome(int exitCode, String output, Path errorLog) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n" + output + "\n(log: " + errorLog + ")\n" + tail(read(errorLog));
        }

        private static String tail(String text) {
            return text.length() <= 4000 ? text : text.substring(text.length() - 4000);
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
