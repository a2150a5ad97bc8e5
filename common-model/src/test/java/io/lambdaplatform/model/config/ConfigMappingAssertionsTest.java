package io.lambdaplatform.model.config;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.lambdaplatform.model.config.ConfigMappingAssertions.assertFullMapping;
import static io.lambdaplatform.model.config.ConfigMappingAssertions.assertRecordedDefaults;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The two assertions fail where a config record's tests would otherwise miss a key or a component. */
class ConfigMappingAssertionsTest {

    @Test
    void aKeyTheFullMappingDoesNotSetFailsIt() {
        Map<String, Object> withoutTopic = new HashMap<>(SharedKeys.KAFKA_SET);
        withoutTopic.remove("lambda.kafka.events-topic");

        assertThatThrownBy(() -> assertFullMapping(KafkaSettings::from, List.of("lambda.kafka"), withoutTopic, SharedKeys.KAFKA_MAPPED))
                .hasMessageContaining("keys of [lambda.kafka] the full mapping does not set")
                .hasMessageContaining("lambda.kafka.events-topic");
    }

    @Test
    void aKeySetToItsDefaultFailsTheFullMapping() {
        Map<String, Object> withDefault = new HashMap<>(SharedKeys.KAFKA_SET);
        withDefault.put("lambda.kafka.events-topic", "events");

        assertThatThrownBy(() -> assertFullMapping(KafkaSettings::from, List.of("lambda.kafka"), withDefault, SharedKeys.KAFKA_MAPPED))
                .hasMessageContaining("value of lambda.kafka.events-topic, which must differ from its default");
    }

    @Test
    void aComponentNoKeyChangesFailsTheFullMapping() {
        // Only the topics read: the bootstrap servers keep their default whatever the key says.
        assertThatThrownBy(() -> assertFullMapping(
                config -> new KafkaSettings("localhost:9092", config.getString("lambda.kafka.events-topic"), config.getString("lambda.kafka.dead-letter-topic")),
                List.of("lambda.kafka"), SharedKeys.KAFKA_SET, SharedKeys.KAFKA_DEFAULTS.withTopics("clicks", "clicks.dlq")))
                .hasMessageContaining("components of KafkaSettings that no key of the full mapping changed")
                .hasMessageContaining("bootstrapServers");
    }

    @Test
    void aWrongDefaultFailsTheDefaultsTest() {
        assertThatThrownBy(() -> assertRecordedDefaults(KafkaSettings::from, SharedKeys.KAFKA_MAPPED))
                .hasMessageContaining("defaults of KafkaSettings");
    }
}
