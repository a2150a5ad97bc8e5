package io.lambdaplatform.model.config;

import java.util.Arrays;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * A server address as the platform's configuration writes it, {@code host:port}; the host may be a name, an IPv4
 * address or an IPv6 address (the port follows the last colon).
 */
public record HostPort(String host, int port) {

    public HostPort {
        requireNonNull(host, "host is null");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host is blank");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port must be 1..65535: " + port);
        }
    }

    /**
     * @param key the configuration key (or option) the value comes from, named in the error
     * @throws IllegalArgumentException naming {@code key} and the value when it is not {@code host:port}
     */
    public static HostPort parse(String value, String key) {
        requireNonNull(value, key + " is null");
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new IllegalArgumentException(key + " is not host:port: " + value);
        }
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        }
        catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " has no numeric port: " + value, e);
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException(key + " has a port outside 1..65535: " + value);
        }
        return new HostPort(value.substring(0, colon).trim(), port);
    }

    /** {@code host:port[,host:port...]}, as Kafka's {@code bootstrap.servers}. */
    public static List<HostPort> parseList(String commaSeparated, String key) {
        requireNonNull(commaSeparated, key + " is null");
        return Arrays.stream(commaSeparated.split(",", -1)).map(value -> parse(value.trim(), key)).toList();
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }
}
