package io.lambdaplatform.stack;

import io.lambdaplatform.model.config.KafkaSettings;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * What a client of a secured stack needs, as {@code endpoints.json} carries it under the platform's own keys:
 * the Kafka client properties under {@code lambda.kafka.security.} (SASL_SSL, SCRAM-SHA-512, the trust store), the
 * Cassandra role under {@code lambda.cassandra.username}/{@code password}, and client TLS under
 * {@code lambda.cassandra.ssl.} with hostname validation (each node's certificate names its address).
 *
 * @param kafkaClient                 Kafka's {@code security.protocol}, {@code sasl.*} and {@code ssl.*} client properties
 * @param cassandraUsername           the Cassandra role
 * @param cassandraPassword           its password
 * @param cassandraTruststorePath     the trust store (PKCS12) holding the certificate of the authority that signed the nodes'
 * @param cassandraTruststorePassword its password
 */
public record StackSecurity(
        Map<String, String> kafkaClient,
        String cassandraUsername,
        String cassandraPassword,
        String cassandraTruststorePath,
        String cassandraTruststorePassword) {
    public static final String KAFKA_PREFIX = KafkaSettings.SECURITY_SECTION + ".";
    public static final String CASSANDRA_USERNAME = "lambda.cassandra.username";
    public static final String CASSANDRA_PASSWORD = "lambda.cassandra.password";
    public static final String CASSANDRA_SSL_ENABLED = "lambda.cassandra.ssl.enabled";
    public static final String CASSANDRA_SSL_TRUSTSTORE_PATH = "lambda.cassandra.ssl.truststore-path";
    public static final String CASSANDRA_SSL_TRUSTSTORE_PASSWORD = "lambda.cassandra.ssl.truststore-password";
    public static final String CASSANDRA_SSL_HOSTNAME_VALIDATION = "lambda.cassandra.ssl.hostname-validation";

    public StackSecurity {
        kafkaClient = Map.copyOf(new TreeMap<>(requireNonNull(kafkaClient, "kafkaClient is null")));
        requireNonNull(cassandraUsername, "cassandraUsername is null");
        requireNonNull(cassandraPassword, "cassandraPassword is null");
        requireNonNull(cassandraTruststorePath, "cassandraTruststorePath is null");
        requireNonNull(cassandraTruststorePassword, "cassandraTruststorePassword is null");
    }

    /** The settings of a secured stack's {@code endpoints.json}, or null when the map has none (a plaintext stack). */
    static StackSecurity fromMap(Map<String, Object> map) {
        Map<String, String> kafka = new TreeMap<>();
        map.forEach((key, value) -> {
            if (key.startsWith(KAFKA_PREFIX) && value != null) {
                kafka.put(key.substring(KAFKA_PREFIX.length()), value.toString());
            }
        });
        if (kafka.isEmpty() && !Boolean.TRUE.equals(map.get(CASSANDRA_SSL_ENABLED))) {
            return null;
        }
        return new StackSecurity(kafka, string(map, CASSANDRA_USERNAME), string(map, CASSANDRA_PASSWORD), string(map, CASSANDRA_SSL_TRUSTSTORE_PATH),
                string(map, CASSANDRA_SSL_TRUSTSTORE_PASSWORD));
    }

    private static String string(Map<String, Object> map, String key) {
        Object value = map.get(key);
        if (value == null) {
            throw new IllegalArgumentException("missing " + key);
        }
        return value.toString();
    }

    /** The settings under the platform's configuration keys, for {@code endpoints.json}. */
    public Map<String, Object> asMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        new TreeMap<>(kafkaClient).forEach((name, value) -> map.put(KAFKA_PREFIX + name, value));
        map.put(CASSANDRA_USERNAME, cassandraUsername);
        map.put(CASSANDRA_PASSWORD, cassandraPassword);
        map.put(CASSANDRA_SSL_ENABLED, true);
        map.put(CASSANDRA_SSL_TRUSTSTORE_PATH, cassandraTruststorePath);
        map.put(CASSANDRA_SSL_TRUSTSTORE_PASSWORD, cassandraTruststorePassword);
        map.put(CASSANDRA_SSL_HOSTNAME_VALIDATION, true);
        return map;
    }

    /** Whether the value of {@code key} (of {@link #asMap} or {@code endpoints.json}) is a secret, never to be printed. */
    public static boolean isSecret(String key) {
        return key.endsWith("password") || key.endsWith("jaas.config") || key.endsWith("secret-key");
    }

    /** The secrets are left out, so this may be logged. */
    @Override
    public String toString() {
        return "StackSecurity[kafka " + kafkaClient.get("security.protocol") + " " + kafkaClient.get("sasl.mechanism") + ", cassandra user "
                + cassandraUsername + " over TLS, trust store " + cassandraTruststorePath + "]";
    }
}
