package io.lambdaplatform.stack;

import java.nio.file.Path;
import java.time.Duration;

import static java.util.Objects.requireNonNull;

/**
 * One server of a running stack.
 *
 * @param name {@code kafka}, {@code cassandra} or {@code s3proxy}
 * @param pid the process id of the server's child JVM
 * @param startDuration from launching the JVM until the server accepted clients
 * @param logFile where the server's stdout and stderr go
 */
public record RunningServer(String name, long pid, Duration startDuration, Path logFile) {
    public RunningServer {
        requireNonNull(name, "name is null");
        requireNonNull(startDuration, "startDuration is null");
        requireNonNull(logFile, "logFile is null");
        if (pid <= 0) {
            throw new IllegalArgumentException("pid must be positive: " + pid);
        }
    }
}
