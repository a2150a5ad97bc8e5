package io.lambdaplatform.viewstore;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import io.lambdaplatform.model.config.ConfigValues;
import io.lambdaplatform.model.config.HostPort;
import io.lambdaplatform.model.config.KeyspaceName;
import io.lambdaplatform.viewstore.internal.QuorumReadRetryPolicy;

import java.io.Serializable;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * How to reach the Cassandra cluster that holds the views. Serializable, so a Spark job can ship it to
 * its executors, which open their own sessions.
 *
 * @param contactPoints   {@code host:port} of one or more nodes
 * @param localDatacenter the datacenter the driver treats as local, e.g. {@code datacenter1}
 * @param keyspace        where the platform's tables live
 * @param username        {@code null} when the cluster needs no authentication
 * @param password        never logged
 * @param requestTimeout  per request
 * @param consistency     the consistency level of every read and write, e.g. {@code LOCAL_QUORUM}: with a
 *                        replication factor above 1 a quorum read sees every quorum write, so a reader that
 *                        sees a new batch pointer also sees every row of its version
 * @param driverConfig    the {@code datastax-java-driver} settings given in the configuration file (HOCON,
 *                        rooted at {@code datastax-java-driver}; empty for none), over the TLS settings of
 *                        {@code lambda.cassandra.ssl}; they override the settings above, so any driver option
 *                        (TLS, load balancing, pool sizes) can be set. Never logged.
 */
public record CassandraSettings(
        List<String> contactPoints,
        String localDatacenter,
        String keyspace,
        String username,
        String password,
        Duration requestTimeout,
        String consistency,
        String driverConfig) implements Serializable {

    public static final String SECTION = "lambda.cassandra";
    public static final String DEFAULT_KEYSPACE = KeyspaceName.DEFAULT;
    public static final String DEFAULT_CONSISTENCY = "LOCAL_QUORUM";
    /** The root of the Java driver's own configuration, in its {@code reference.conf} and in ours. */
    public static final String DRIVER_ROOT = "datastax-java-driver";
    /** How long a read waits for its coordinator before a second one is asked too; far above a read's usual latency. */
    static final Duration SPECULATION_DELAY = Duration.ofMillis(500);

    public CassandraSettings {
        contactPoints = List.copyOf(requireNonNull(contactPoints, SECTION + ".contact-points is null"));
        if (contactPoints.isEmpty()) {
            throw new IllegalArgumentException(SECTION + ".contact-points must name at least one node");
        }
        contactPoints.forEach(point -> HostPort.parse(point, SECTION + ".contact-points"));
        ConfigValues.requireNotBlank(localDatacenter, SECTION + ".local-datacenter");
        KeyspaceName.requireValid(keyspace, SECTION + ".keyspace");
        ConfigValues.requirePositive(requestTimeout, SECTION + ".request-timeout");
        if ((username == null) != (password == null)) {
            throw new IllegalArgumentException(SECTION + ".username and " + SECTION + ".password go together");
        }
        requireNonNull(consistency, SECTION + ".consistency is null");
        try {
            DefaultConsistencyLevel.valueOf(consistency);
        }
        catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(SECTION + ".consistency must be one of "
                    + List.of(DefaultConsistencyLevel.values()) + ": " + consistency, e);
        }
        requireNonNull(driverConfig, "driverConfig is null");
    }

    /** The settings under {@code lambda.cassandra} of a loaded {@link io.lambdaplatform.model.config.PlatformConfig}. */
    public static CassandraSettings from(Config config) {
        Config cassandra = config.getConfig(SECTION);
        return new CassandraSettings(
                cassandra.getStringList("contact-points"),
                cassandra.getString("local-datacenter"),
                cassandra.getString("keyspace"),
                ConfigValues.optionalString(cassandra, "username"),
                ConfigValues.optionalString(cassandra, "password"),
                cassandra.getDuration("request-timeout"),
                cassandra.getString("consistency").toUpperCase(Locale.ROOT),
                userDriverConfig(config, sslDriverConfig(cassandra)));
    }

    public static CassandraSettings of(String contactPoint, String localDatacenter, String keyspace) {
        return new CassandraSettings(List.of(contactPoint), localDatacenter, keyspace, null, null, Duration.ofSeconds(10),
                DEFAULT_CONSISTENCY, "");
    }

    public CassandraSettings withRequestTimeout(Duration newRequestTimeout) {
        return new CassandraSettings(contactPoints, localDatacenter, keyspace, username, password, newRequestTimeout, consistency,
                driverConfig);
    }

    public CassandraSettings withCredentials(String newUsername, String newPassword) {
        return new CassandraSettings(contactPoints, localDatacenter, keyspace, newUsername, newPassword, requestTimeout, consistency,
                driverConfig);
    }

    public CassandraSettings withConsistency(String newConsistency) {
        return new CassandraSettings(contactPoints, localDatacenter, keyspace, username, password, requestTimeout, newConsistency,
                driverConfig);
    }

    public CassandraSettings withKeyspace(String newKeyspace) {
        return new CassandraSettings(contactPoints, localDatacenter, newKeyspace, username, password, requestTimeout, consistency,
                driverConfig);
    }

    public CassandraSettings withDriverConfig(String newDriverConfig) {
        return new CassandraSettings(contactPoints, localDatacenter, keyspace, username, password, requestTimeout, consistency,
                newDriverConfig);
    }

    /**
     * The driver configuration a session is opened with, rooted at {@value #DRIVER_ROOT}: the user's
     * {@link #driverConfig}, over the platform's settings (timeouts, consistency), over the driver's own
     * {@code reference.conf} (which {@link DriverConfigLoader#fromString} adds, with system-property overrides on top).
     */
    public Config driverSettings() {
        Map<String, Object> platform = new HashMap<>();
        String timeout = requestTimeout.toMillis() + " milliseconds";
        platform.put(DRIVER_ROOT + ".basic.request.timeout", timeout);
        platform.put(DRIVER_ROOT + ".basic.request.consistency", consistency);
        platform.put(DRIVER_ROOT + ".advanced.connection.init-query-timeout", timeout);
        platform.put(DRIVER_ROOT + ".advanced.control-connection.timeout", timeout);
        platform.put(DRIVER_ROOT + ".advanced.metadata.schema.request-timeout", timeout);
        platform.put(DRIVER_ROOT + ".advanced.reconnect-on-init", false);
        // One slow replica of a quorum does not fail a read: a read that timed out at its coordinator is tried once on
        // the next node, and a read (idempotent, DriverCalls.query) still unanswered after SPECULATION_DELAY goes to a
        // second coordinator as well, for a coordinator that is stopped or starved keeps its connections open.
        platform.put(DRIVER_ROOT + ".advanced.retry-policy.class", QuorumReadRetryPolicy.class.getName());
        platform.put(DRIVER_ROOT + ".advanced.speculative-execution-policy.class", "ConstantSpeculativeExecutionPolicy");
        platform.put(DRIVER_ROOT + ".advanced.speculative-execution-policy.max-executions", 2);
        platform.put(DRIVER_ROOT + ".advanced.speculative-execution-policy.delay", SPECULATION_DELAY.toMillis() + " milliseconds");
        return ConfigFactory.parseString(driverConfig).withFallback(ConfigFactory.parseMap(platform, "lambda.cassandra"));
    }

    /** Opens a session (not bound to the keyspace: statements name it). The caller closes it. */
    public CqlSession connect() {
        // The driver loads the policies it is configured with through this loader. Its own would do in a flat
        // classpath, but spark-submit puts the batch job's jar (with QuorumReadRetryPolicy) in a child loader of the one
        // that holds the driver, which then cannot see the class.
        CqlSessionBuilder builder = CqlSession.builder()
                .withClassLoader(QuorumReadRetryPolicy.class.getClassLoader())
                .withLocalDatacenter(localDatacenter)
                .withConfigLoader(DriverConfigLoader.fromString(driverSettings().root().render(ConfigRenderOptions.concise())));
        contactPoints.forEach(point -> {
            HostPort address = HostPort.parse(point, SECTION + ".contact-points");
            builder.addContactPoint(new InetSocketAddress(address.host(), address.port()));
        });
        if (username != null) {
            builder.withAuthCredentials(username, password);
        }
        return builder.build();
    }

    @Override
    public String toString() {
        return "CassandraSettings[contactPoints=" + contactPoints + ", localDatacenter=" + localDatacenter
                + ", keyspace=" + keyspace + ", username=" + username + ", password=" + (password == null ? "none" : "****")
                + ", requestTimeout=" + requestTimeout + ", consistency=" + consistency
                + ", driverConfig=" + (driverConfig.isEmpty() ? "none" : "(set, not logged)") + "]";
    }

    /**
     * The {@value #DRIVER_ROOT} settings of a loaded configuration that do not come from a
     * {@code reference.conf} (the driver's own defaults are on every classpath): what the user wrote in a
     * configuration file, an override or a system property, over {@code fallback} (driver paths below
     * {@value #DRIVER_ROOT}), as HOCON text.
     */
    static String userDriverConfig(Config config, Map<String, Object> fallback) {
        Map<String, Object> set = new HashMap<>(fallback);
        if (config.hasPath(DRIVER_ROOT)) {
            for (Map.Entry<String, ConfigValue> entry : config.getConfig(DRIVER_ROOT).entrySet()) {
                String resource = entry.getValue().origin().resource();
                if (resource == null || !resource.endsWith("reference.conf")) {
                    set.put(DRIVER_ROOT + "." + entry.getKey(), entry.getValue().unwrapped());
                }
            }
        }
        return set.isEmpty() ? "" : ConfigFactory.parseMap(set).root().render(ConfigRenderOptions.concise());
    }

    /**
     * The driver's TLS settings for {@code lambda.cassandra.ssl} (its {@code DefaultSslEngineFactory} with the trust
     * store), as driver paths; none when TLS is off.
     */
    static Map<String, Object> sslDriverConfig(Config cassandra) {
        if (!cassandra.getBoolean("ssl.enabled")) {
            return Map.of();
        }
        String factory = DRIVER_ROOT + ".advanced.ssl-engine-factory.";
        Map<String, Object> ssl = new HashMap<>();
        ssl.put(factory + "class", "DefaultSslEngineFactory");
        ssl.put(factory + "hostname-validation", cassandra.getBoolean("ssl.hostname-validation"));
        String truststore = ConfigValues.optionalString(cassandra, "ssl.truststore-path");
        if (truststore != null) {
            ssl.put(factory + "truststore-path", truststore);
            String password = ConfigValues.optionalString(cassandra, "ssl.truststore-password");
            if (password != null) {
                ssl.put(factory + "truststore-password", password);
            }
        }
        return ssl;
    }
}
