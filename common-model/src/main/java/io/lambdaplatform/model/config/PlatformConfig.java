package io.lambdaplatform.model.config;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValueFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Loads the configuration of a deployable, once, at start-up: environment overrides, then an optional
 * configuration file, then the endpoints of a local stack, then every module's {@code reference.conf}.
 * Each deployable turns the result into its own typed, validated config. A key under {@code lambda.}
 * that no deployable knows stops the load ({@link KnownKeys}).
 */
public final class PlatformConfig {

    /** Environment variables with this prefix override keys below {@code lambda}. */
    public static final String ENV_PREFIX = "LAMBDA_";
    public static final String ENDPOINTS_FILE = "endpoints.json";
    /**
     * Variables with the {@value #ENV_PREFIX} prefix that are not configuration keys: those of the
     * {@code ./lambda} script and the container entrypoint (how to launch a JVM or Spark), of
     * docker-compose files, and of the tests. Every other such variable must name a known key.
     */
    public static final Set<String> LAUNCHER_VARIABLES = Set.of(
            "LAMBDA_HOME", "LAMBDA_JAVA_OPTS", "LAMBDA_LAUNCHER_PID", "LAMBDA_HTTP_PORT", "LAMBDA_IMAGE",
            "LAMBDA_BATCH_HEAP", "LAMBDA_BATCH_MASTER", "LAMBDA_BATCH_PARTITIONS", "LAMBDA_BATCH_JIT", "LAMBDA_BATCH_EVERY", "LAMBDA_BATCH_STATUS_FILE",
            "LAMBDA_DEMO_COUNT", "LAMBDA_DEMO_RATE", "LAMBDA_S3_ACCESS_KEY", "LAMBDA_S3_SECRET_KEY", "LAMBDA_IT_REQUIRE_TOOLS");

    private PlatformConfig() {}

    /**
     * @param configFile a HOCON/JSON/properties file, or {@code null}
     * @param stackDir   a directory with the {@code endpoints.json} of {@code ./lambda stack}, or {@code null}
     * @throws UnknownConfigKeyException when a key under {@code lambda.} is unknown, e.g. misspelt
     */
    public static Config load(Path configFile, Path stackDir) {
        return load(configFile, stackDir, System.getenv());
    }

    static Config load(Path configFile, Path stackDir, Map<String, String> environment) {
        // The reference.conf files alone: JVM system properties are not a configuration source (tools and tests set
        // their own lambda.* properties, e.g. -Dlambda.home), so they neither override keys nor count as unknown ones.
        Config reference = ConfigFactory.defaultReferenceUnresolved().resolve();
        Config config = reference;
        if (stackDir != null) {
            config = fromEndpoints(stackDir.resolve(ENDPOINTS_FILE)).withFallback(config);
        }
        if (configFile != null) {
            if (!Files.isRegularFile(configFile)) {
                throw new IllegalArgumentException("Configuration file not found: " + configFile);
            }
            config = ConfigFactory.parseFile(configFile.toFile(), ConfigParseOptions.defaults().setAllowMissing(false))
                    .withFallback(config);
        }
        Config loaded = fromEnvironment(environment).withFallback(config).resolve();
        KnownKeys.of(reference).requireKnown(loaded);
        return loaded;
    }

    /**
     * The settings of a local stack's {@code endpoints.json}, which {@code ./lambda stack} writes under the platform's
     * own configuration keys; keys outside {@value KnownKeys#ROOT} (Spark's {@code spark.master}) are left out.
     */
    public static Config fromEndpoints(Path endpointsFile) {
        Map<String, Object> endpoints;
        try {
            endpoints = new ObjectMapper().readValue(endpointsFile.toFile(), new TypeReference<Map<String, Object>>() {});
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot read stack endpoints " + endpointsFile
                    + ": is `./lambda stack --data-dir " + endpointsFile.getParent() + "` running?", e);
        }
        Map<String, Object> settings = new HashMap<>();
        endpoints.forEach((key, value) -> {
            if (key.startsWith(KnownKeys.ROOT + ".") && value != null) {
                settings.put(key, value);
            }
        });
        if (settings.isEmpty() && endpoints.containsKey("kafka.bootstrap")) {
            throw new IllegalArgumentException("Stack endpoints " + endpointsFile + " were written by an older ./lambda stack, "
                    + "without the platform's configuration keys: restart that stack and it rewrites the file");
        }
        return ConfigFactory.parseMap(settings, "stack endpoints " + endpointsFile);
    }

    /**
     * {@code LAMBDA_KAFKA_BOOTSTRAP__SERVERS=h:9092} sets {@code lambda.kafka.bootstrap-servers}: a single
     * {@code _} separates path elements and {@code __} stands for {@code -}. A value of a list-valued
     * key is split at commas.
     */
    static Config fromEnvironment(Map<String, String> environment) {
        Config overrides = ConfigFactory.empty("environment variables");
        for (Map.Entry<String, String> entry : environment.entrySet()) {
            if (!entry.getKey().startsWith(ENV_PREFIX) || entry.getKey().length() == ENV_PREFIX.length()
                    || LAUNCHER_VARIABLES.contains(entry.getKey())) {
                continue;
            }
            String path = "lambda." + entry.getKey().substring(ENV_PREFIX.length())
                    .toLowerCase(Locale.ROOT)
                    .replace("__", "-")
                    .replace('_', '.');
            Object value = path.endsWith("contact-points") ? List.of(entry.getValue().split(",")) : entry.getValue();
            try {
                overrides = overrides.withValue(path, ConfigValueFactory.fromAnyRef(value, "environment variable " + entry.getKey()));
            }
            catch (ConfigException.BadPath e) {
                throw new IllegalArgumentException("Environment variable " + entry.getKey() + " does not name a configuration key", e);
            }
        }
        return overrides;
    }
}
