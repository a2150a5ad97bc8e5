package io.lambdaplatform.model.config;

import com.typesafe.config.Config;

import java.time.Duration;

/**
 * Reading optional values, and the checks every config record's compact constructor makes: each names the
 * configuration key, so the one place a value is validated also says which key to fix.
 */
public final class ConfigValues {

    private ConfigValues() {}

    /** The string at {@code path}, or {@code null} when it is missing or set to {@code null}. */
    public static String optionalString(Config config, String path) {
        return config.hasPath(path) ? config.getString(path) : null;
    }

    public static String requireNotBlank(String value, String key) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(key + " must not be empty");
        }
        return value;
    }

    public static int requireAtLeast(int value, int minimum, String key) {
        if (value < minimum) {
            throw new IllegalArgumentException(key + " must be at least " + minimum + ": " + value);
        }
        return value;
    }

    public static long requireNotNegative(long value, String key) {
        if (value < 0) {
            throw new IllegalArgumentException(key + " must not be negative: " + value);
        }
        return value;
    }

    public static Duration requirePositive(Duration value, String key) {
        if (value == null) {
            throw new NullPointerException(key + " is null");
        }
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(key + " must be positive: " + value);
        }
        return value;
    }

    public static Duration requireNotNegative(Duration value, String key) {
        if (value == null) {
            throw new NullPointerException(key + " is null");
        }
        if (value.isNegative()) {
            throw new IllegalArgumentException(key + " must not be negative: " + value);
        }
        return value;
    }

    /** A port to listen on: 0 picks a free one. */
    public static int requireListenPort(int port, String key) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException(key + " must be 0..65535: " + port);
        }
        return port;
    }
}
