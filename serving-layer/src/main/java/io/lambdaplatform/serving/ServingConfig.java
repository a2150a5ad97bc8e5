package io.lambdaplatform.serving;

import com.typesafe.config.Config;
import io.lambdaplatform.model.IngestBuckets;
import io.lambdaplatform.model.config.ConfigValues;
import io.lambdaplatform.model.config.PlatformMode;
import io.lambdaplatform.viewstore.CassandraSettings;

import java.time.Duration;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Everything the serving layer needs, read once at start-up from {@code lambda.serving} and
 * {@code lambda.cassandra}, validated, and passed to the parts through their constructors.
 *
 * @param host                 interface to listen on
 * @param port                 0 for a free port
 * @param authToken            bearer token for {@code /v1/*}, {@code null} when the API is open; never logged
 * @param maxWindows           the most windows one metrics query may span
 * @param retryAfter           sent with every 503
 * @param reconnectMinBackoff  first delay between connection attempts while there is no session
 * @param reconnectMaxBackoff  longest delay between connection attempts
 * @param createSchema         apply the schema after connecting
 * @param replicationFactor    used when the schema is applied
 * @param maxSuggestions       the most product ids {@code /v1/products} returns
 * @param dashboardRefresh     how often the dashboard reloads
 * @param reads                how much the views are cached and read at once
 * @param cassandra            how to reach the views
 * @param mode                 Lambda (batch ⊕ speed) or Kappa (the current set of stream-built views alone)
 */
public record ServingConfig(
        String host,
        int port,
        String authToken,
        int maxWindows,
        Duration retryAfter,
        Duration reconnectMinBackoff,
        Duration reconnectMaxBackoff,
        boolean createSchema,
        int replicationFactor,
        int maxSuggestions,
        Duration dashboardRefresh,
        Reads reads,
        CassandraSettings cassandra,
        PlatformMode mode) {

    public static final String SECTION = "lambda.serving";

    /**
     * @param batchCacheMaxBytes bytes of rows of published batch versions held in memory ({@code lambda.serving.batch-cache.max-bytes})
     * @param perRequest        Cassandra queries one request has in flight at most ({@code lambda.serving.reads.per-request})
     * @param perService        Cassandra queries the whole service has in flight at most ({@code lambda.serving.reads.per-service})
     * @param stateMaxAge       how long the batch pointer, speed progress and holes read for one request serve the following
     *                          ones ({@code lambda.serving.reads.state-max-age}); zero reads them for every request
     * @param answerCacheMaxBytes bytes of answers shared by requests that ask the same question of the same shared state
     *                          ({@code lambda.serving.answer-cache.max-bytes}, {@link AnswerCache}); 0 shares none
     * @param speedCacheMaxBytes bytes of speed rows of ingest buckets the watermark has passed, rolled up and held in memory
     *                          ({@code lambda.serving.speed-cache.max-bytes}, {@link SealedSpeedRows}); 0 holds none
     * @param ingestBuckets     how ingest time is cut into buckets ({@code lambda.ingest.bucket-width}), as the speed layer cuts it
     */
    public record Reads(long batchCacheMaxBytes, int perRequest, int perService, Duration stateMaxAge, long answerCacheMaxBytes,
            long speedCacheMaxBytes, IngestBuckets ingestBuckets) {
        public Reads {
            requireNonNull(stateMaxAge, "stateMaxAge is null");
            requireNonNull(ingestBuckets, "ingestBuckets is null");
            if (stateMaxAge.isNegative()) {
                throw new IllegalArgumentException(SECTION + ".reads.state-max-age must not be negative: " + stateMaxAge);
            }
            ConfigValues.requireNotNegative(batchCacheMaxBytes, SECTION + ".batch-cache.max-bytes");
            ConfigValues.requireNotNegative(answerCacheMaxBytes, SECTION + ".answer-cache.max-bytes");
            ConfigValues.requireNotNegative(speedCacheMaxBytes, SECTION + ".speed-cache.max-bytes");
            ConfigValues.requireAtLeast(perRequest, 1, SECTION + ".reads.per-request");
            if (perService < perRequest) {
                throw new IllegalArgumentException(SECTION + ".reads.per-service " + perService + " is below per-request " + perRequest);
            }
        }

        /** The reads of the platform's settings: {@code lambda.serving.*} and the ingest buckets. */
        static Reads from(Config config) {
            Config serving = config.getConfig(SECTION);
            return new Reads(serving.getBytes("batch-cache.max-bytes"), serving.getInt("reads.per-request"), serving.getInt("reads.per-service"),
                    serving.getDuration("reads.state-max-age"), serving.getBytes("answer-cache.max-bytes"), serving.getBytes("speed-cache.max-bytes"),
                    new IngestBuckets(config.getDuration("lambda.ingest.bucket-width")));
        }
    }

    public ServingConfig {
        ConfigValues.requireNotBlank(host, SECTION + ".host");
        ConfigValues.requireListenPort(port, SECTION + ".port");
        if (authToken != null && authToken.isBlank()) {
            throw new IllegalArgumentException(SECTION + ".auth-token must not be blank: set a token or null");
        }
        ConfigValues.requireAtLeast(maxWindows, 1, SECTION + ".max-windows");
        ConfigValues.requirePositive(retryAfter, SECTION + ".retry-after");
        ConfigValues.requirePositive(reconnectMinBackoff, SECTION + ".reconnect.min-backoff");
        ConfigValues.requirePositive(reconnectMaxBackoff, SECTION + ".reconnect.max-backoff");
        if (reconnectMaxBackoff.compareTo(reconnectMinBackoff) < 0) {
            throw new IllegalArgumentException(SECTION + ".reconnect.max-backoff " + reconnectMaxBackoff
                    + " is shorter than min-backoff " + reconnectMinBackoff);
        }
        ConfigValues.requireAtLeast(replicationFactor, 1, "lambda.cassandra.replication-factor");
        ConfigValues.requireAtLeast(maxSuggestions, 1, SECTION + ".max-suggestions");
        ConfigValues.requirePositive(dashboardRefresh, SECTION + ".dashboard.refresh-interval");
        requireNonNull(reads, "reads is null");
        requireNonNull(cassandra, "cassandra is null");
        requireNonNull(mode, "mode is null");
    }

    /** The serving settings of a loaded {@link io.lambdaplatform.model.config.PlatformConfig}. */
    public static ServingConfig from(Config config) {
        Config serving = config.getConfig(SECTION);
        return new ServingConfig(
                serving.getString("host"),
                serving.getInt("port"),
                ConfigValues.optionalString(serving, "auth-token"),
                serving.getInt("max-windows"),
                serving.getDuration("retry-after"),
                serving.getDuration("reconnect.min-backoff"),
                serving.getDuration("reconnect.max-backoff"),
                serving.getBoolean("create-schema"),
                config.getInt("lambda.cassandra.replication-factor"),
                serving.getInt("max-suggestions"),
                serving.getDuration("dashboard.refresh-interval"),
                Reads.from(config),
                CassandraSettings.from(config),
                PlatformMode.from(config));
    }

    public Optional<String> token() {
        return Optional.ofNullable(authToken);
    }

    public ServingConfig withPort(int newPort) {
        return new ServingConfig(host, newPort, authToken, maxWindows, retryAfter, reconnectMinBackoff, reconnectMaxBackoff,
                createSchema, replicationFactor, maxSuggestions, dashboardRefresh, reads, cassandra, mode);
    }

    public ServingConfig withHost(String newHost) {
        return new ServingConfig(newHost, port, authToken, maxWindows, retryAfter, reconnectMinBackoff, reconnectMaxBackoff,
                createSchema, replicationFactor, maxSuggestions, dashboardRefresh, reads, cassandra, mode);
    }

    public ServingConfig withAuthToken(String newAuthToken) {
        return new ServingConfig(host, port, newAuthToken, maxWindows, retryAfter, reconnectMinBackoff, reconnectMaxBackoff,
                createSchema, replicationFactor, maxSuggestions, dashboardRefresh, reads, cassandra, mode);
    }

    public ServingConfig withCassandra(CassandraSettings newCassandra) {
        return new ServingConfig(host, port, authToken, maxWindows, retryAfter, reconnectMinBackoff, reconnectMaxBackoff,
                createSchema, replicationFactor, maxSuggestions, dashboardRefresh, reads, newCassandra, mode);
    }

    @Override
    public String toString() {
        return "ServingConfig[host=" + host + ", port=" + port + ", authToken=" + (authToken == null ? "none" : "****")
                + ", maxWindows=" + maxWindows + ", retryAfter=" + retryAfter + ", reconnect=" + reconnectMinBackoff
                + ".." + reconnectMaxBackoff + ", createSchema=" + createSchema + ", replicationFactor=" + replicationFactor
                + ", maxSuggestions=" + maxSuggestions + ", dashboardRefresh=" + dashboardRefresh + ", reads=" + reads + ", cassandra=" + cassandra + "]";
    }
}
