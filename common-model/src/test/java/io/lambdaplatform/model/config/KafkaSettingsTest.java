package io.lambdaplatform.model.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

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

    @Test
    void securitySettingsFromAFileAndTheEnvironmentReachEveryClientUnderKafkasOwnNames(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("platform.conf");
        Files.writeString(file, """
                lambda.kafka.security {
                  security.protocol = SASL_SSL
                  "sasl.mechanism" = SCRAM-SHA-512
                  sasl.jaas.config = "org.apache.kafka.common.security.scram.ScramLoginModule required username=\\"app\\" password=\\"s3cret\\";"
                  ssl.truststore.location = /etc/lambda/kafka.p12
                }
                """);

        KafkaSettings kafka = KafkaSettings.from(PlatformConfig.load(file, null, Map.of("LAMBDA_KAFKA_SECURITY_SSL_TRUSTSTORE_PASSWORD", "tpw")));

        assertThat(kafka.security()).containsOnly(
                Map.entry("security.protocol", "SASL_SSL"),
                Map.entry("sasl.mechanism", "SCRAM-SHA-512"),
                Map.entry("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"app\" password=\"s3cret\";"),
                Map.entry("ssl.truststore.location", "/etc/lambda/kafka.p12"),
                Map.entry("ssl.truststore.password", "tpw"));
        assertThat(kafka.clientProperties())
                .containsEntry("bootstrap.servers", "localhost:9092")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("ssl.truststore.password", "tpw")
                .hasSize(6);
        assertThat(kafka.withTopics("clicks", "clicks.dlq").security()).isEqualTo(kafka.security());
        assertThat(kafka.toString()).contains("security=SASL_SSL (not logged)").doesNotContain("s3cret").doesNotContain("tpw");
    }

    @Test
    void securityTakesOnlySecuritySettingsSoExactnessSettingsStayThePlatforms() {
        assertThatThrownBy(() -> new KafkaSettings("k1:9092", "events", "events.dlq", Map.of("isolation.level", "read_uncommitted")))
                .hasMessage("lambda.kafka.security takes Kafka's security.protocol, sasl.* and ssl.* client properties; not isolation.level");
        assertThat(SharedKeys.KAFKA_DEFAULTS.clientProperties()).containsOnly(Map.entry("bootstrap.servers", "localhost:9092"));
        assertThat(SharedKeys.KAFKA_DEFAULTS.toString()).contains("security=none");
    }
}
