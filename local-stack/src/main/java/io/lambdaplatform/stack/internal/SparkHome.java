package io.lambdaplatform.stack.internal;

import io.lambdaplatform.stack.StackStartException;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * A generated Spark home for the standalone master and workers, from the project's own Spark jars: a worker builds
 * each executor's command from {@code $SPARK_HOME/jars/*} (and {@code $SPARK_HOME/conf}) and needs
 * {@code SPARK_SCALA_VERSION} to find them, as a Spark distribution would provide. {@code jars/} holds symbolic links
 * to the jars of the classpath files the batch-layer build writes ({@code target/launcher-provided.classpath}: Spark,
 * its Kafka source, S3A and the cloud committers; {@code target/launcher.classpath}: what Spark shares with the job),
 * so nothing is downloaded or copied.
 */
public final class SparkHome {
    public static final String SCALA_VERSION = "2.13";
    private static final String JVM_OPTIONS_FILE = "launcher.jvm-options";
    private static final String RUNTIME_CLASSPATH_FILE = "launcher.classpath";

    private final Path home;
    private final List<Path> jars;
    private final List<String> moduleOptions;

    private SparkHome(Path home, List<Path> jars, List<String> moduleOptions) {
        this.home = requireNonNull(home, "home is null");
        this.jars = List.copyOf(requireNonNull(jars, "jars is null"));
        this.moduleOptions = List.copyOf(requireNonNull(moduleOptions, "moduleOptions is null"));
    }

    /**
     * Reads the classpath file and, when next to it, the runtime classpath and the JVM options of the same build
     * ({@code launcher.classpath}: libraries Spark shares with the job, such as Netty, which Maven therefore puts in
     * the job's scope rather than in the provided one; {@code launcher.jvm-options}: the {@code --add-opens} Spark
     * needs on Java 17).
     *
     * @param home where the Spark home is (re)generated, {@code DATA_DIR/spark/home}
     */
    public static SparkHome of(Path home, Path classpathFile) {
        requireNonNull(classpathFile, "classpathFile is null");
        if (!Files.isRegularFile(classpathFile)) {
            throw new StackStartException("No Spark classpath file " + classpathFile
                    + "; build the batch layer first: ./mvnw -B -DskipTests package -pl batch-layer -am");
        }
        try {
            Path runtimeFile = classpathFile.resolveSibling(RUNTIME_CLASSPATH_FILE);
            List<Path> jars = Stream.concat(
                            readClasspath(classpathFile).stream(),
                            Files.isRegularFile(runtimeFile) && !runtimeFile.equals(classpathFile) ? readClasspath(runtimeFile).stream() : Stream.empty())
                    .distinct()
                    .toList();
            List<Path> missing = jars.stream().filter(jar -> !Files.isRegularFile(jar)).toList();
            if (jars.isEmpty() || !missing.isEmpty()) {
                throw new StackStartException("The Spark classpath " + classpathFile + " names jars that do not exist: " + missing);
            }
            if (jars.stream().noneMatch(jar -> jar.getFileName().toString().startsWith("spark-core_" + SCALA_VERSION + "-"))) {
                throw new StackStartException("The Spark classpath " + classpathFile + " holds no spark-core_" + SCALA_VERSION + " jar");
            }
            Path optionsFile = classpathFile.resolveSibling(JVM_OPTIONS_FILE);
            List<String> options = Files.isRegularFile(optionsFile)
                    ? Arrays.stream(Files.readString(optionsFile, StandardCharsets.UTF_8).trim().split("\\s+")).filter(option -> !option.isBlank()).toList()
                    : List.of();
            return new SparkHome(home, jars, options);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot read the Spark classpath " + classpathFile, e);
        }
    }

    private static List<Path> readClasspath(Path file) throws IOException {
        return Arrays.stream(Files.readString(file, StandardCharsets.UTF_8).trim().split(File.pathSeparator))
                .filter(entry -> !entry.isBlank())
                .map(Path::of)
                .toList();
    }

    public Path path() {
        return home;
    }

    /** The jars the master and workers run on (the same the executors get through {@code jars/}). */
    public List<Path> jars() {
        return jars;
    }

    /** {@code --add-opens} and the like, for the master's and workers' JVMs. */
    public List<String> moduleOptions() {
        return moduleOptions;
    }

    /** What the master, the workers and their executors find in their environment. */
    public Map<String, String> environment() {
        return Map.of(
                "SPARK_HOME", home.toString(),
                "SPARK_SCALA_VERSION", SCALA_VERSION,
                "SPARK_LOCAL_IP", LoopbackPorts.HOST,
                "SPARK_CONF_DIR", home.resolve("conf").toString());
    }

    public Path log4jConfiguration() {
        return home.resolve("conf").resolve("log4j2.properties");
    }

    /** (Re)creates {@code jars/} with one link per jar, and {@code conf/log4j2.properties}. */
    public void generate() {
        Path jarsDir = home.resolve("jars");
        try {
            Files.createDirectories(jarsDir);
            try (Stream<Path> old = Files.list(jarsDir)) {
                for (Path link : old.toList()) {
                    Files.delete(link);
                }
            }
            Set<String> names = new HashSet<>();
            List<Path> duplicates = new ArrayList<>();
            for (Path jar : jars) {
                String name = jar.getFileName().toString();
                if (!names.add(name)) {
                    duplicates.add(jar);
                    continue;
                }
                Files.createSymbolicLink(jarsDir.resolve(name), jar.toAbsolutePath());
            }
            if (!duplicates.isEmpty()) {
                throw new StackStartException("Two jars of the Spark classpath share a file name: " + duplicates);
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot generate the Spark home " + home, e);
        }
        ConfigFiles.write(log4jConfiguration(), LOG4J2_PROPERTIES);
    }

    private static final String LOG4J2_PROPERTIES = String.join("\n",
            "# Generated by local-stack: the master, the workers and the executors log INFO to stdout, i.e. their log files.",
            "rootLogger.level = info",
            "rootLogger.appenderRef.stdout.ref = console",
            "appender.console.type = Console",
            "appender.console.name = console",
            "appender.console.target = SYSTEM_OUT",
            "appender.console.layout.type = PatternLayout",
            "appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n",
            "logger.jetty.name = org.sparkproject.jetty",
            "logger.jetty.level = warn",
            "");
}
