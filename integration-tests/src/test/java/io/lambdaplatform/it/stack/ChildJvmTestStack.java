package io.lambdaplatform.it.stack;

import io.lambdaplatform.stack.LocalStack;
import io.lambdaplatform.stack.RunningStack;
import io.lambdaplatform.stack.StackEndpoints;
import io.lambdaplatform.stack.StackOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static java.util.Objects.requireNonNull;

/**
 * The local stack's child JVMs, in a fresh data directory under the build directory, so that the servers' logs
 * are still there to read when a test fails.
 */
public final class ChildJvmTestStack implements TestStack {
    private final RunningStack stack;

    private ChildJvmTestStack(RunningStack stack) {
        this.stack = requireNonNull(stack, "stack is null");
    }

    public static ChildJvmTestStack start() {
        return new ChildJvmTestStack(LocalStack.start(StackOptions.of(freshDataDir("shared-stack-"))));
    }

    /** A new, empty directory for a stack's data under {@code target/} (or {@code -Dlambda.it.work-dir}). */
    public static Path freshDataDir(String prefix) {
        Path workDir = Path.of(System.getProperty("lambda.it.work-dir", "target"));
        try {
            Files.createDirectories(workDir);
            return Files.createTempDirectory(workDir.toAbsolutePath(), prefix);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot create a data directory under " + workDir, e);
        }
    }

    @Override
    public StackEndpoints endpoints() {
        return stack.endpoints();
    }

    @Override
    public void restart(String server) {
        stack.restart(server);
    }

    @Override
    public void close() {
        stack.close();
    }

    @Override
    public String toString() {
        return "child-JVM stack in " + stack.dataDir();
    }
}
