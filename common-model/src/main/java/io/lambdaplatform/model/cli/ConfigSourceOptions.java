package io.lambdaplatform.model.cli;

import com.typesafe.config.Config;
import io.lambdaplatform.model.config.PlatformConfig;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * Where a deployable's configuration comes from, the same options on every command line ({@code @Mixin}):
 * {@code --stack DIR} (the {@code endpoints.json} of a running {@code ./lambda stack}) and {@code --config FILE},
 * with {@code LAMBDA_*} environment variables over both ({@link PlatformConfig#load}).
 */
public final class ConfigSourceOptions {

    @Option(names = "--stack", paramLabel = "DIR", description = "Data directory of a running `./lambda stack` (reads DIR/endpoints.json).")
    private Path stackDir;

    @Option(names = "--config", paramLabel = "FILE", description = "Configuration file (HOCON, JSON or properties, see docs/configuration.md); "
            + "LAMBDA_* environment variables override it.")
    private Path configFile;

    /** The {@code --stack} directory, or {@code null}. */
    public Path stackDir() {
        return stackDir;
    }

    /** The {@code --config} file, or {@code null}. */
    public Path configFile() {
        return configFile;
    }

    /** The configuration, loaded once: environment over {@code --config} over {@code --stack} over the defaults. */
    public Config load() {
        return PlatformConfig.load(configFile, stackDir);
    }
}
