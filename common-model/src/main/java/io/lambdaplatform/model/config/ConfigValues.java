package io.lambdaplatform.model.config;

import com.typesafe.config.Config;

import java.time.Duration;
import java.util.List;

/** Reads optional values the way every deployable needs them: {@code null} in the file means absent. */
public final class ConfigValues {

    private ConfigValues() {}

    /** The string at {@code path}, or {@code null} when it is missing or set to {@code null}. */
    public static String optionalString(Config config, String path) {
        return config.hasPath(path) ? config.getString(path) : null;
    }

    public static Duration positiveDuration(Config config, String path) {
        Duration value = config.getDuration(path);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(path + " must be positive: " + value);
        }
        return value;
    }

    public static int positiveInt(Config config, String path) {
        int value = config.getInt(path);
        if (value < 1) {
            throw new IllegalArgumentException(path + " must be at least 1: " + value);
        }
        return value;
    }

    public static List<String> nonEmptyList(Config config, String path) {
        List<String> values = config.getStringList(path);
        if (values.isEmpty()) {
            throw new IllegalArgumentException(path + " must not be empty");
        }
        return values;
    }
}
