package io.lambdaplatform.model.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;

import java.io.Serializable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * How every deployable reaches Kafka, from {@code lambda.kafka}. Each engine turns it into its own client
 * properties, starting from {@link #clientProperties()}.
 *
 * @param bootstrapServers {@code host:port[,host:port...]}
 * @param eventsTopic      the topic of the events (LogAppendTime)
 * @param deadLetterTopic  where invalid records go, with the reason in a header
 * @param security         Kafka client properties for a secured cluster, from {@code lambda.kafka.security}:
 *                         {@code security.protocol} and {@code sasl.*} / {@code ssl.*} keys, given to every Kafka
 *                         client the platform creates (empty for a plaintext cluster). Never logged.
 */
public record KafkaSettings(String bootstrapServers, String eventsTopic, String deadLetterTopic, Map<String, String> security)
        implements Serializable {

    public static final String SECTION = "lambda.kafka";
    public static final String SECURITY_SECTION = SECTION + ".security";

    public KafkaSettings {
        HostPort.parseList(bootstrapServers, SECTION + ".bootstrap-servers");
        ConfigValues.requireNotBlank(eventsTopic, SECTION + ".events-topic");
        ConfigValues.requireNotBlank(deadLetterTopic, SECTION + ".dead-letter-topic");
        if (eventsTopic.equals(deadLetterTopic)) {
            throw new IllegalArgumentException(SECTION + ".dead-letter-topic must differ from " + SECTION + ".events-topic: " + eventsTopic);
        }
        security = Map.copyOf(new TreeMap<>(requireNonNull(security, "security is null")));
        security.keySet().forEach(KafkaSettings::requireSecurityKey);
    }

    public KafkaSettings(String bootstrapServers, String eventsTopic, String deadLetterTopic) {
        this(bootstrapServers, eventsTopic, deadLetterTopic, Map.of());
    }

    /** The settings under {@value #SECTION} of a loaded {@link PlatformConfig}. */
    public static KafkaSettings from(Config config) {
        Config kafka = config.getConfig(SECTION);
        return new KafkaSettings(kafka.getString("bootstrap-servers"), kafka.getString("events-topic"), kafka.getString("dead-letter-topic"),
                security(config));
    }

    /**
     * The Kafka property names and values under {@value #SECURITY_SECTION}, nested or quoted alike:
     * {@code security { protocol = SASL_SSL }} and {@code "security.protocol" = SASL_SSL} both give
     * {@code security.protocol}, as does the variable {@code LAMBDA_KAFKA_SECURITY_SECURITY_PROTOCOL}.
     */
    static Map<String, String> security(Config config) {
        if (!config.hasPath(SECURITY_SECTION)) {
            return Map.of();
        }
        Map<String, String> properties = new TreeMap<>();
        for (Map.Entry<String, ConfigValue> entry : config.getConfig(SECURITY_SECTION).entrySet()) {
            String name = String.join(".", ConfigUtil.splitPath(entry.getKey()));
            properties.put(name, String.valueOf(entry.getValue().unwrapped()));
        }
        return properties;
    }

    /**
     * Only what secures the connection: the platform's own client settings (isolation level, idempotence,
     * transactions) are what keeps its answers exact, so they are not for a configuration file to change.
     */
    private static void requireSecurityKey(String name) {
        if (!name.equals("security.protocol") && !name.startsWith("sasl.") && !name.startsWith("ssl.")) {
            throw new IllegalArgumentException(SECURITY_SECTION + " takes Kafka's security.protocol, sasl.* and ssl.* client properties; "
                    + "not " + name);
        }
    }

    /** Every broker of {@link #bootstrapServers}. */
    public List<HostPort> brokers() {
        return HostPort.parseList(bootstrapServers, SECTION + ".bootstrap-servers");
    }

    /**
     * What every Kafka client of the platform starts from: {@code bootstrap.servers} and the {@link #security}
     * properties. A mutable copy, for the client's own settings to be added.
     */
    public Map<String, Object> clientProperties() {
        Map<String, Object> properties = new HashMap<>(security);
        properties.put("bootstrap.servers", bootstrapServers);
        return properties;
    }

    /** {@link #clientProperties()} with a client's own settings added. */
    public Map<String, Object> clientProperties(Map<String, ?> own) {
        Map<String, Object> properties = clientProperties();
        properties.putAll(own);
        return properties;
    }

    public KafkaSettings withTopics(String newEventsTopic, String newDeadLetterTopic) {
        return new KafkaSettings(bootstrapServers, newEventsTopic, newDeadLetterTopic, security);
    }

    @Override
    public String toString() {
        return "KafkaSettings[bootstrapServers=" + bootstrapServers + ", eventsTopic=" + eventsTopic + ", deadLetterTopic=" + deadLetterTopic
                + ", security=" + (security.isEmpty() ? "none" : security.getOrDefault("security.protocol", "set") + " (not logged)") + "]";
    }
}
