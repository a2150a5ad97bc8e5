package io.lambdaplatform.stack.internal;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * What to run in a server child JVM.
 *
 * @param name the server's name, used for the log file and in messages
 * @param classpath the server's own jars; the watchdog's location is put in front of them
 * @param jvmOptions options before the main class ({@code -Xmx…}, {@code --add-opens…}, {@code -D…})
 * @param mainClass the server's main class, run by {@link ServerWatchdog}
 * @param arguments the server's arguments
 * @param logFile where stdout and stderr are appended
 * @param environment variables set for the JVM on top of the launcher's own
 * @param argumentFile null, or an owner-only file the main class and its arguments are written to and the JVM reads them
 *        from ({@code java @FILE}), for arguments that hold a secret: they are then neither on the command line ({@code ps})
 *        nor in the log's first lines
 */
public record ChildJvmSpec(String name, List<Path> classpath, List<String> jvmOptions, String mainClass, List<String> arguments, Path logFile,
        Map<String, String> environment, Path argumentFile) {
    public ChildJvmSpec {
        requireNonNull(name, "name is null");
        classpath = List.copyOf(requireNonNull(classpath, "classpath is null"));
        jvmOptions = List.copyOf(requireNonNull(jvmOptions, "jvmOptions is null"));
        requireNonNull(mainClass, "mainClass is null");
        arguments = List.copyOf(requireNonNull(arguments, "arguments is null"));
        requireNonNull(logFile, "logFile is null");
        environment = Map.copyOf(requireNonNull(environment, "environment is null"));
    }

    /** A JVM whose arguments are on its command line. */
    public ChildJvmSpec(String name, List<Path> classpath, List<String> jvmOptions, String mainClass, List<String> arguments, Path logFile,
            Map<String, String> environment) {
        this(name, classpath, jvmOptions, mainClass, arguments, logFile, environment, null);
    }

    /** A JVM that inherits the launcher's environment unchanged. */
    public ChildJvmSpec(String name, List<Path> classpath, List<String> jvmOptions, String mainClass, List<String> arguments, Path logFile) {
        this(name, classpath, jvmOptions, mainClass, arguments, logFile, Map.of(), null);
    }
}
