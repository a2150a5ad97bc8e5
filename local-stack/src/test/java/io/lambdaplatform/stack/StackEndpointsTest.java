package io.lambdaplatform.stack;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lambdaplatform.model.config.KafkaSettings;
import io.lambdaplatform.model.config.PlatformConfig;
import io.lambdaplatform.viewstore.CassandraSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StackEndpointsTest {
    private static final StackEndpoints ENDPOINTS = new StackEndpoints(
            "127.0.0.1:39092", "127.0.0.1:39042", "datacenter1", "lambda", "http://127.0.0.1:39080", "lambda",
            "access", "secret", "us-east-1", "events", "events.dlq");

    @Test
    void writesOneFlatObjectWithThePlatformsKeys(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("endpoints.json");

        ENDPOINTS.write(file);

        Map<String, Object> json = new ObjectMapper().readValue(file.toFile(), new TypeReference<Map<String, Object>>() {});
        assertThat(json).containsExactlyInAnyOrderEntriesOf(Map.ofEntries(
                Map.entry("lambda.kafka.bootstrap-servers", "127.0.0.1:39092"),
                Map.entry("lambda.kafka.events-topic", "events"),
                Map.entry("lambda.kafka.dead-letter-topic", "events.dlq"),
                Map.entry("lambda.cassandra.contact-points", List.of("127.0.0.1:39042")),
                Map.entry("lambda.cassandra.local-datacenter", "datacenter1"),
                Map.entry("lambda.cassandra.keyspace", "lambda"),
                Map.entry("lambda.cassandra.replication-factor", 1),
                Map.entry("lambda.s3.endpoint", "http://127.0.0.1:39080"),
                Map.entry("lambda.s3.bucket", "lambda"),
                Map.entry("lambda.s3.region", "us-east-1"),
                Map.entry("lambda.s3.path-style-access", true),
                Map.entry("lambda.s3.access-key", "access"),
                Map.entry("lambda.s3.secret-key", "secret")));
        assertThat(dir.resolve("endpoints.json.tmp")).doesNotExist();
    }

    @Test
    void aClusterStackListsEveryNode(@TempDir Path dir) throws IOException {
        StackEndpoints cluster = new StackEndpoints(
                "127.0.0.1:39092,127.0.0.2:39092,127.0.0.3:39092", "127.0.0.1:39042", "datacenter1", "lambda", "http://127.0.0.1:39080", "lambda",
                "access", "secret", "us-east-1", "events", "events.dlq",
                List.of("127.0.0.1:39042", "127.0.0.2:39042", "127.0.0.3:39042"), 3, "spark://127.0.0.1:37077");
        Path file = dir.resolve("endpoints.json");

        cluster.write(file);

        Map<String, Object> json = new ObjectMapper().readValue(file.toFile(), new TypeReference<Map<String, Object>>() {});
        assertThat(json)
                .containsEntry("lambda.kafka.bootstrap-servers", "127.0.0.1:39092,127.0.0.2:39092,127.0.0.3:39092")
                .containsEntry("lambda.cassandra.contact-points", List.of("127.0.0.1:39042", "127.0.0.2:39042", "127.0.0.3:39042"))
                .containsEntry("lambda.cassandra.replication-factor", 3)
                .containsEntry("spark.master", "spark://127.0.0.1:37077");
        assertThat(StackEndpoints.read(file)).isEqualTo(cluster);
    }

    @Test
    void readsTheFileOfAnOlderSingleNodeStackAsOneNodeAtReplicationFactorOne(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("endpoints.json");
        Files.writeString(file, """
                {"kafka.bootstrap": "127.0.0.1:39092", "cassandra.contact-point": "127.0.0.1:39042", "cassandra.datacenter": "datacenter1",
                 "cassandra.keyspace": "lambda", "s3.endpoint": "http://127.0.0.1:39080", "s3.bucket": "lambda", "s3.access-key": "access",
                 "s3.secret-key": "secret", "s3.region": "us-east-1", "events.topic": "events", "dlq.topic": "events.dlq"}""");

        StackEndpoints read = StackEndpoints.read(file);

        assertThat(read.cassandraContactPoints()).containsExactly("127.0.0.1:39042");
        assertThat(read.cassandraReplicationFactor()).isEqualTo(1);
        assertThat(read.sparkMaster()).isNull();
        assertThat(read).isEqualTo(ENDPOINTS);
    }

    @Test
    void validatesTheClusterLists() {
        assertThatThrownBy(() -> new StackEndpoints("h:1,h2", "h:2", "dc", "ks", "http://h:1", "b", "a", "s", "r", "e", "d"))
                .hasMessage("lambda.kafka.bootstrap-servers is not host:port: h2");
        assertThatThrownBy(() -> new StackEndpoints("h:1", "h:2", "dc", "ks", "http://h:1", "b", "a", "s", "r", "e", "d", List.of("g:2", "h:2"), 1, null))
                .hasMessage("lambda.cassandra.contact-points must start with h:2: [g:2, h:2]");
        assertThatThrownBy(() -> new StackEndpoints("h:1", "h:2", "dc", "ks", "http://h:1", "b", "a", "s", "r", "e", "d", List.of("h:2"), 3, null))
                .hasMessage("lambda.cassandra.replication-factor must be in 1..1: 3");
        assertThatThrownBy(() -> new StackEndpoints("h:1", "h:2", "dc", "ks", "http://h:1", "b", "a", "s", "r", "e", "d", List.of("h:2"), 1, "h:7077"))
                .hasMessage("spark.master is not a spark:// URL: h:7077");
    }

    @Test
    void readsBackWhatItWroteFromTheFileOrTheDataDirectory(@TempDir Path dir) {
        ENDPOINTS.write(dir.resolve(StackEndpoints.FILE_NAME));

        assertThat(StackEndpoints.read(dir.resolve(StackEndpoints.FILE_NAME))).isEqualTo(ENDPOINTS);
        assertThat(StackEndpoints.read(dir)).isEqualTo(ENDPOINTS);
    }

    @Test
    void ignoresKeysItDoesNotKnow(@TempDir Path dir) throws IOException {
        Map<String, Object> withExtra = new LinkedHashMap<>(ENDPOINTS.asMap());
        withExtra.put("serving.url", "http://127.0.0.1:8080");
        Path file = dir.resolve("endpoints.json");
        new ObjectMapper().writeValue(file.toFile(), withExtra);

        assertThat(StackEndpoints.read(file)).isEqualTo(ENDPOINTS);
    }

    @Test
    void rejectsAFileWithoutARequiredKey(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("endpoints.json");
        Files.writeString(file, "{\"lambda.kafka.bootstrap-servers\": \"127.0.0.1:9092\"}");

        assertThatThrownBy(() -> StackEndpoints.read(file))
                .hasMessage("Cannot read stack endpoints from " + file + ": missing cassandra.contact-point");
    }

    @Test
    void validatesAddresses() {
        assertThatThrownBy(() -> new StackEndpoints("localhost", "127.0.0.1:9042", "dc", "ks", "http://h:1", "b", "a", "s", "r", "e", "d"))
                .hasMessage("lambda.kafka.bootstrap-servers is not host:port: localhost");
        assertThatThrownBy(() -> new StackEndpoints("h:1", "127.0.0.1:x", "dc", "ks", "http://h:1", "b", "a", "s", "r", "e", "d"))
                .hasMessage("lambda.cassandra.contact-points has no numeric port: 127.0.0.1:x");
        assertThatThrownBy(() -> new StackEndpoints("h:1", "h:2", "dc", "ks", "127.0.0.1:9000", "b", "a", "s", "r", "e", "d"))
                .hasMessage("lambda.s3.endpoint must start with http:// or https://: 127.0.0.1:9000");
    }

    @Test
    void aSecuredStackCarriesWhatEveryDeployableNeedsOwnerOnlyAndNeverPrintsIt(@TempDir Path dir) throws IOException {
        StackSecurity security = new StackSecurity(Map.of(
                "security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"lambda\" password=\"kafka-pw\";",
                "ssl.truststore.type", "PKCS12",
                "ssl.truststore.location", "/d/tls/truststore.p12",
                "ssl.truststore.password", "store-pw"), "lambda", "cassandra-pw", "/d/tls/truststore.p12", "store-pw");
        StackEndpoints secured = new StackEndpoints("127.0.0.1:39092", "127.0.0.1:39042", "datacenter1", "lambda", "http://127.0.0.1:39080", "lambda",
                "access", "secret", "us-east-1", "events", "events.dlq", List.of("127.0.0.1:39042"), 1, null, security);

        secured.write(dir.resolve(StackEndpoints.FILE_NAME));

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(StackEndpoints.FILE_NAME)))).isEqualTo("rw-------");
        Map<String, Object> json = new ObjectMapper().readValue(dir.resolve(StackEndpoints.FILE_NAME).toFile(), new TypeReference<Map<String, Object>>() {});
        assertThat(json)
                .containsEntry("lambda.kafka.security.security.protocol", "SASL_SSL")
                .containsEntry("lambda.kafka.security.ssl.truststore.password", "store-pw")
                .containsEntry("lambda.cassandra.username", "lambda")
                .containsEntry("lambda.cassandra.password", "cassandra-pw")
                .containsEntry("lambda.cassandra.ssl.enabled", true)
                .containsEntry("lambda.cassandra.ssl.truststore-path", "/d/tls/truststore.p12")
                .containsEntry("lambda.cassandra.ssl.hostname-validation", true);
        assertThat(StackEndpoints.read(dir)).isEqualTo(secured);
        assertThat(secured.kafka().security()).isEqualTo(security.kafkaClient());

        // --stack DIR: the deployables read the same settings as from a configuration file
        var config = PlatformConfig.load(null, dir);
        assertThat(KafkaSettings.from(config).security()).isEqualTo(security.kafkaClient());
        CassandraSettings cassandra = CassandraSettings.from(config);
        assertThat(cassandra.username()).isEqualTo("lambda");
        assertThat(cassandra.password()).isEqualTo("cassandra-pw");
        assertThat(cassandra.driverConfig()).contains("DefaultSslEngineFactory", "/d/tls/truststore.p12");

        assertThat(secured.toString()).contains("lambda.cassandra.username=lambda", "SASL_SSL")
                .doesNotContain("kafka-pw", "cassandra-pw", "store-pw", "=secret");
        assertThat(security.toString()).doesNotContain("kafka-pw", "cassandra-pw", "store-pw");
    }

    @Test
    void aPlaintextStacksFileHasNoSecurityKeys(@TempDir Path dir) {
        ENDPOINTS.write(dir.resolve(StackEndpoints.FILE_NAME));

        assertThat(StackEndpoints.read(dir).security()).isNull();
        assertThat(ENDPOINTS.kafka().security()).isEmpty();
    }

    @Test
    void toStringHidesTheSecretKey() {
        assertThat(ENDPOINTS.toString())
                .contains("lambda.s3.access-key=access", "lambda.s3.secret-key=****")
                .doesNotContain("secret,", "=secret");
    }
}
