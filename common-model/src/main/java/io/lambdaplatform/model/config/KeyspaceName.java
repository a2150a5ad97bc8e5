package io.lambdaplatform.model.config;

import static java.util.Objects.requireNonNull;

/** The rule for the Cassandra keyspace the platform's tables live in: an unquoted, lower-case CQL identifier. */
public final class KeyspaceName {

    public static final String DEFAULT = "lambda";
    private static final String PATTERN = "[a-z][a-z0-9_]{0,47}";

    private KeyspaceName() {}

    /**
     * @param key the configuration key (or option) the name comes from, named in the error
     * @return {@code keyspace}
     */
    public static String requireValid(String keyspace, String key) {
        requireNonNull(keyspace, key + " is null");
        if (!keyspace.matches(PATTERN)) {
            throw new IllegalArgumentException(key + " must be a lower-case letter, then up to 47 lower-case letters, digits and _: " + keyspace);
        }
        return keyspace;
    }
}
