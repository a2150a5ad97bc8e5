package io.lambdaplatform.stack;

import io.lambdaplatform.model.config.PlatformMode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static java.util.Objects.requireNonNull;

/**
 * How to run the whole platform on this machine ({@code ./lambda local}).
 *
 * @param dataDir everything of the run: the stack's data under {@code stack/}, each part's log under {@code logs/}
 * @param home the repository root holding the {@code ./lambda} script that starts each layer
 * @param httpPort the serving layer's port on 127.0.0.1 (dashboard and API)
 * @param generatorRate events per second from the event generator; 0 starts no generator
 * @param batchEvery the time between the starts of two scheduled batch runs
 * @param firstBatchAfter the time from start-up to the first batch run
 * @param startTimeout how long the stack's servers and the serving layer may take to get ready
 */
public record LocalPlatformOptions(
        Path dataDir,
        Path home,
        int httpPort,
        int generatorRate,
        Duration batchEvery,
        Duration firstBatchAfter,
        Duration startTimeout,
        PlatformMode mode) {
    public static final int DEFAULT_HTTP_PORT = 8080;
    public static final int DEFAULT_GENERATOR_RATE = 30;
    public static final Duration DEFAULT_BATCH_EVERY = Duration.ofMinutes(5);
    public static final Duration DEFAULT_FIRST_BATCH_AFTER = Duration.ofSeconds(90);

    public LocalPlatformOptions {
        requireNonNull(dataDir, "dataDir is null");
        requireNonNull(home, "home is null");
        requireNonNull(batchEvery, "batchEvery is null");
        requireNonNull(firstBatchAfter, "firstBatchAfter is null");
        requireNonNull(startTimeout, "startTimeout is null");
        requireNonNull(mode, "mode is null");
        dataDir = dataDir.toAbsolutePath().normalize();
        home = home.toAbsolutePath().normalize();
        if (!Files.isRegularFile(home.resolve("lambda"))) {
            throw new IllegalArgumentException("home holds no ./lambda script: " + home);
        }
        if (httpPort < 1 || httpPort > 65_535) {
            throw new IllegalArgumentException("httpPort must be between 1 and 65535: " + httpPort);
        }
        if (generatorRate < 0) {
            throw new IllegalArgumentException("generatorRate must not be negative: " + generatorRate);
        }
        if (batchEvery.compareTo(Duration.ofSeconds(10)) < 0) {
            throw new IllegalArgumentException("batchEvery must be at least 10 seconds: " + batchEvery);
        }
        if (firstBatchAfter.isNegative()) {
            throw new IllegalArgumentException("firstBatchAfter must not be negative: " + firstBatchAfter);
        }
        if (startTimeout.isNegative() || startTimeout.isZero()) {
            throw new IllegalArgumentException("startTimeout must be positive: " + startTimeout);
        }
    }

    public static LocalPlatformOptions of(Path dataDir, Path home) {
        return new LocalPlatformOptions(dataDir, home, DEFAULT_HTTP_PORT, DEFAULT_GENERATOR_RATE, DEFAULT_BATCH_EVERY, DEFAULT_FIRST_BATCH_AFTER,
                StackOptions.DEFAULT_START_TIMEOUT, PlatformMode.LAMBDA);
    }

    /** Where the Kafka, Cassandra and S3Proxy data live, and {@code endpoints.json}: the {@code --stack} of the layers. */
    public Path stackDir() {
        return dataDir.resolve("stack");
    }

    /** One log file per part: speed, serving, generator, batch, and the launcher's own. */
    public Path logDir() {
        return dataDir.resolve("logs");
    }

    public boolean generator() {
        return generatorRate > 0;
    }

    public LocalPlatformOptions withHttpPort(int port) {
        return new LocalPlatformOptions(dataDir, home, port, generatorRate, batchEvery, firstBatchAfter, startTimeout, mode);
    }

    public LocalPlatformOptions withGeneratorRate(int rate) {
        return new LocalPlatformOptions(dataDir, home, httpPort, rate, batchEvery, firstBatchAfter, startTimeout, mode);
    }

    public LocalPlatformOptions withBatchEvery(Duration every) {
        return new LocalPlatformOptions(dataDir, home, httpPort, generatorRate, every, firstBatchAfter, startTimeout, mode);
    }

    /** Kappa: no batch schedule, and the speed and serving layers run with {@code lambda.platform.mode = kappa}. */
    public LocalPlatformOptions withMode(PlatformMode newMode) {
        return new LocalPlatformOptions(dataDir, home, httpPort, generatorRate, batchEvery, firstBatchAfter, startTimeout, newMode);
    }

    public LocalPlatformOptions withFirstBatchAfter(Duration after) {
        return new LocalPlatformOptions(dataDir, home, httpPort, generatorRate, batchEvery, after, startTimeout, mode);
    }
}
