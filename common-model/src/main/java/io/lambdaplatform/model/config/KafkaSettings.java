package io.lambdaplatform.model.config;

import com.typesafe.config.Config;

import java.io.Serializable;
import java.util.List;


/**
 * How every deployable reaches Kafka, from {@code lambda.kafka}. Each engine turns it into its own client
 * properties.
 *
 * @param bootstrapServers {@code host:port[,host:port...]}
 * @param eventsTopic      the topic of the events (LogAppendTime)
 * @param deadLetterTopic  where invalid records go, with the reason in a header
 */
public record KafkaSettings(String bootstrapServers, String eventsTopic, String deadLetterTopic) implements Serializable {

    public static final String SECTION = "lambda.kafka";

    public KafkaSettings {
        HostPort.parseList(bootstrapServers, SECTION + ".bootstrap-servers");
        ConfigValues.requireNotBlank(eventsTopic, SECTION + ".events-topic");
        ConfigValues.requireNotBlank(deadLetterTopic, SECTION + ".dead-letter-topic");
        if (eventsTopic.equals(deadLetterTopic)) {
            throw new IllegalArgumentException(SECTION + ".dead-letter-topic must differ from " + SECTION + ".events-topic: " + eventsTopic);
        }
    }

    /** The settings under {@value #SECTION} of a loaded {@link PlatformConfig}. */
    public static KafkaSettings from(Config config) {
        Config kafka = config.getConfig(SECTION);
        return new KafkaSettings(kafka.getString("bootstrap-servers"), kafka.getString("events-topic"), kafka.getString("dead-letter-topic"));
    }

    /** Every broker of {@link #bootstrapServers}. */
    public List<HostPort> brokers() {
        return HostPort.parseList(bootstrapServers, SECTION + ".bootstrap-servers");
    }

    public KafkaSettings withTopics(String newEventsTopic, String newDeadLetterTopic) {
        return new KafkaSettings(bootstrapServers, newEventsTopic, newDeadLetterTopic);
    }
}
