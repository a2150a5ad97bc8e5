package io.lambdaplatform.viewstore;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.typesafe.config.Config;
import io.lambdaplatform.model.config.ConfigValues;

import java.io.Serializable;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

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
 */
public record CassandraSettings(
        List<String> contactPoints,
        String localDatacenter,
        String keyspace,
        String username,
        String password,
        Duration requestTimeout) implements Serializable {

    public static final String DEFAULT_KEYSPACE = "lambda";

    public CassandraSettings {
        contactPoints = List.copyOf(requireNonNull(contactPoints, "contactPoints is null"));
        if (contactPoints.isEmpty()) {
            throw new IllegalArgumentException("At least one Cassandra contact point is needed");
        }
        contactPoints.forEach(CassandraSettings::address);
        requireNonNull(localDatacenter, "localDatacenter is null");
        requireNonNull(keyspace, "keyspace is null");
        if (!keyspace.matches("[a-z][a-z0-9_]{0,47}")) {
            throw new IllegalArgumentException("Keyspace must be lower-case letters, digits and _: " + keyspace);
        }
        requireNonNull(requestTimeout, "requestTimeout is null");
        if ((username == null) != (password == null)) {
            throw new IllegalArgumentException("Cassandra username and password go together");
        }
    }

    /** The settings under {@code lambda.cassandra} of a loaded {@link io.lambdaplatform.model.config.PlatformConfig}. */
    public static CassandraSettings from(Config config) {
        Config cassandra = config.getConfig("lambda.cassandra");
        return new CassandraSettings(
                ConfigValues.nonEmptyList(cassandra, "contact-points"),
                cassandra.getString("local-datacenter"),
                cassandra.getString("keyspace"),
                ConfigValues.optionalString(cassandra, "username"),
                ConfigValues.optionalString(cassandra, "password"),
                ConfigValues.positiveDuration(cassandra, "request-timeout"));
    }

    public static CassandraSettings of(String contactPoint, String localDatacenter, String keyspace) {
        return new CassandraSettings(List.of(contactPoint), localDatacenter, keyspace, null, null, Duration.ofSeconds(10));
    }

    public CassandraSettings withRequestTimeout(Duration newRequestTimeout) {
        return new CassandraSettings(contactPoints, localDatacenter, keyspace, username, password, newRequestTimeout);
    }

    public CassandraSettings withCredentials(String newUsername, String newPassword) {
        return new CassandraSettings(contactPoints, localDatacenter, keyspace, newUsername, newPassword, requestTimeout);
    }

    /** Opens a session (not bound to the keyspace: statements name it). The caller closes it. */
    public CqlSession connect() {
        CqlSessionBuilder builder = CqlSession.builder()
                .withLocalDatacenter(localDatacenter)
                .withConfigLoader(DriverConfigLoader.programmaticBuilder()
                        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, requestTimeout)
                        .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, requestTimeout)
                        .withDuration(DefaultDriverOption.CONTROL_CONNECTION_TIMEOUT, requestTimeout)
                        .withDuration(DefaultDriverOption.METADATA_SCHEMA_REQUEST_TIMEOUT, requestTimeout)
                        .withBoolean(DefaultDriverOption.RECONNECT_ON_INIT, false)
                        .build());
        contactPoints.forEach(point -> {
            InetSocketAddress address = address(point);
            builder.addContactPoint(new InetSocketAddress(address.getHostString(), address.getPort()));
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
                + ", requestTimeout=" + requestTimeout + "]";
    }

    private static InetSocketAddress address(String hostAndPort) {
        int colon = hostAndPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostAndPort.length() - 1) {
            throw new IllegalArgumentException("Contact point must be host:port: " + hostAndPort);
        }
        try {
            int port = Integer.parseInt(hostAndPort.substring(colon + 1));
            return InetSocketAddress.createUnresolved(hostAndPort.substring(0, colon), port);
        }
        catch (NumberFormatException e) {
            throw new IllegalArgumentException("Contact point port is not a number: " + hostAndPort, e);
        }
    }
}
