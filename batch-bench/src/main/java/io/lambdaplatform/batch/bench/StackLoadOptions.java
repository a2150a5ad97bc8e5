package io.lambdaplatform.batch.bench;

import com.typesafe.config.Config;
import io.lambdaplatform.model.cli.ConfigSourceOptions;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the batch-bench commands share ({@code @Mixin}): the stack they run on (its S3Proxy directory holds the master
 * dataset they measure), the events they load, the {@code ./lambda} script that runs the layers, and where the runs'
 * logs go.
 */
final class StackLoadOptions {

    @Mixin
    private ConfigSourceOptions source;

    @Option(names = "--events", defaultValue = "1000000", description = "Events to load (default ${DEFAULT-VALUE}).")
    private long events;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the duplicates and invalid records (default ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--lambda", required = true, paramLabel = "PATH", description = "The ./lambda script that runs the layers.")
    private Path lambda;

    @Option(names = "--work-dir", paramLabel = "DIR", description = "Where the runs' logs go (default: a new temporary directory).")
    private Path workDir;

    long events() {
        return events;
    }

    long seed() {
        return seed;
    }

    Path lambda() {
        return lambda;
    }

    /** The {@code --stack} directory: required, as the master dataset is read from the stack's S3Proxy directory. */
    Path stackDir() {
        if (source.stackDir() == null) {
            throw new IllegalArgumentException("--stack DIR is required: the master dataset is read from the stack's S3Proxy directory");
        }
        return source.stackDir();
    }

    Config config() {
        return source.load();
    }

    /** The master dataset's directory in the stack's S3Proxy file store. */
    Path masterDir(Config config) {
        return stackDir().resolve("s3").resolve(config.getString("lambda.s3.bucket")).resolve("master");
    }

    /** {@code --work-dir}, created, or a new temporary directory named after {@code prefix}. */
    Path workDir(String prefix) throws IOException {
        return workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory(prefix);
    }
}
