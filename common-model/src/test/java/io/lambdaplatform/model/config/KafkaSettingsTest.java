package io.lambdaplatform.model.config;

import org.junit.jupiter.api.Test;

import java.util.List;

import static io.lambdaplatform.model.config.ConfigMappingAssertions.assertFullMapping;
import static io.lambdaplatform.model.config.ConfigMappingAssertions.assertRecordedDefaults;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KafkaSettingsTest {

    @Test
    void defaults() {
        assertRecordedDefaults(KafkaSettings::from, SharedKeys.KAFKA_DEFAULTS);
    }

    @Test
    void everyKeyMaps() {
        assertFullMapping(KafkaSettings::from, List.of("lambda.kafka"), SharedKeys.KAFKA_SET, SharedKeys.KAFKA_MAPPED);
    }

    @Test
    void validatesNamingTheKey() {
        assertThat(SharedKeys.KAFKA_MAPPED.brokers()).containsExactly(new HostPort("k1", 9093), new HostPort("k2", 9093));
        assertThatThrownBy(() -> new KafkaSettings("k1:9092,k2", "events", "events.dlq"))
                .hasMessage("lambda.kafka.bootstrap-servers is not host:port: k2");
        assertThatThrownBy(() -> new KafkaSettings("k1:9092", "events", "events"))
                .hasMessage("lambda.kafka.dead-letter-topic must differ from lambda.kafka.events-topic: events");
        assertThatThrownBy(() -> new KafkaSettings("k1:9092", " ", "events.dlq"))
                .hasMessage("lambda.kafka.events-topic must not be empty");
    }
}
