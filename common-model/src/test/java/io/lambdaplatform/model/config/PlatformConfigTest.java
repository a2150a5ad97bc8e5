package io.lambdaplatform.model.config;

import com.typesafe.config.Config;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PlatformConfigTest {

    @TempDir
    Path dir;

    @Test
    void defaultsComeFromReferenceConf() {
        Config config = PlatformConfig.load(null, null, Map.of());

        assertThat(config.getString("lambda.kafka.events-topic")).isEqualTo("events");
        assertThat(config.getDuration("lambda.ingest.bucket-width")).isEqualTo(Duration.ofMinutes(1));
        assertThat(ConfigValues.optionalString(config, "lambda.cassandra.password")).isNull();
    }

    @Test
    void stackEndpointsOverrideDefaultsAndFileOverridesStackAndEnvironmentOverridesAll() throws IOException {
        Files.writeString(dir.resolve("endpoints.json"), """
                {"lambda.kafka.bootstrap-servers": "127.0.0.1:40001", "lambda.cassandra.contact-points": ["127.0.0.1:40002"],
                 "lambda.cassandra.local-datacenter": "datacenter1", "lambda.s3.endpoint": "http://127.0.0.1:40003",
                 "lambda.s3.bucket": "b1", "lambda.s3.path-style-access": true, "spark.master": "spark://127.0.0.1:7077"}""");
        Path file = dir.resolve("app.conf");
        Files.writeString(file, "lambda.s3.bucket = b2\nlambda.kafka.events-topic = events-from-file\n");

        Config config = PlatformConfig.load(file, dir, Map.of(
                "LAMBDA_KAFKA_EVENTS__TOPIC", "events-from-env",
                "LAMBDA_CASSANDRA_CONTACT__POINTS", "h1:9042,h2:9042",
                "PATH", "/usr/bin"));

        assertThat(config.getString("lambda.kafka.bootstrap-servers")).isEqualTo("127.0.0.1:40001");
        assertThat(config.getString("lambda.s3.endpoint")).isEqualTo("http://127.0.0.1:40003");
        assertThat(config.getBoolean("lambda.s3.path-style-access")).isTrue();
        assertThat(config.getString("lambda.s3.bucket")).isEqualTo("b2");
        assertThat(config.getString("lambda.kafka.events-topic")).isEqualTo("events-from-env");
        assertThat(config.getStringList("lambda.cassandra.contact-points")).isEqualTo(List.of("h1:9042", "h2:9042"));
    }

    @Test
    void aMisspeltKeyInTheFileOrTheEnvironmentStopsTheLoad() throws IOException {
        Path file = dir.resolve("platform.conf");
        Files.writeString(file, "lambda.kafka.bootstrap-servers = \"b:9092\"\nlambda.cassandra.keyspce = lambda_prod\n");

        assertThatThrownBy(() -> PlatformConfig.load(file, null, Map.of()))
                .isInstanceOf(UnknownConfigKeyException.class)
                .hasMessageContaining("lambda.cassandra.keyspce (set in " + file.toFile())
                .hasMessageContaining("did you mean lambda.cassandra.keyspace?");
        assertThatThrownBy(() -> PlatformConfig.load(null, null, Map.of("LAMBDA_S3_BUKET", "b")))
                .hasMessageContaining("lambda.s3.buket (set in environment variable LAMBDA_S3_BUKET)")
                .hasMessageContaining("did you mean lambda.s3.bucket?");
        // The launcher's own variables share the prefix but are not configuration.
        Config launched = PlatformConfig.load(null, null, Map.of("LAMBDA_BATCH_HEAP", "2g", "LAMBDA_JAVA_OPTS", "-Xmx1g",
                "LAMBDA_BATCH_JIT", "-XX:TieredStopAtLevel=1"));
        assertThat(launched.hasPath("lambda.batch.heap")).isFalse();
        assertThat(launched.hasPath("lambda.batch.jit")).isFalse();
    }

    @Test
    void aClusterStackSetsEveryContactPointAndItsReplicationFactor() throws IOException {
        Files.writeString(dir.resolve("endpoints.json"), """
                {"lambda.kafka.bootstrap-servers": "127.0.0.1:40001,127.0.0.2:40001,127.0.0.3:40001",
                 "lambda.cassandra.contact-points": ["127.0.0.1:40002", "127.0.0.2:40002", "127.0.0.3:40002"],
                 "lambda.cassandra.replication-factor": 3, "spark.master": "spark://127.0.0.1:40004"}""");

        Config config = PlatformConfig.load(null, dir, Map.of());

        assertThat(config.getString("lambda.kafka.bootstrap-servers")).isEqualTo("127.0.0.1:40001,127.0.0.2:40001,127.0.0.3:40001");
        assertThat(config.getStringList("lambda.cassandra.contact-points")).containsExactly("127.0.0.1:40002", "127.0.0.2:40002", "127.0.0.3:40002");
        assertThat(config.getInt("lambda.cassandra.replication-factor")).isEqualTo(3);
    }

    @Test
    void systemPropertiesAreNeitherASourceNorUnknownKeys() {
        System.setProperty("lambda.it.stack", "child-jvm");
        System.setProperty("lambda.kafka.events-topic", "from-a-system-property");
        try {
            Config config = PlatformConfig.load(null, null, Map.of());

            assertThat(config.hasPath("lambda.it")).isFalse();
            assertThat(config.getString("lambda.kafka.events-topic")).isEqualTo("events");
        }
        finally {
            System.clearProperty("lambda.it.stack");
            System.clearProperty("lambda.kafka.events-topic");
        }
    }

    @Test
    void saysWhatIsMissing() {
        assertThatThrownBy(() -> PlatformConfig.load(dir.resolve("nope.conf"), null, Map.of()))
                .hasMessageContaining("Configuration file not found");
        assertThatThrownBy(() -> PlatformConfig.load(null, dir, Map.of()))
                .hasMessageContaining("Cannot read stack endpoints")
                .hasMessageContaining("./lambda stack --data-dir");
    }

    @Test
    void anEndpointsFileOfAnOlderStackSaysToRestartIt() throws IOException {
        Files.writeString(dir.resolve("endpoints.json"), """
                {"kafka.bootstrap": "127.0.0.1:40001", "cassandra.contact-point": "127.0.0.1:40002"}""");

        assertThatThrownBy(() -> PlatformConfig.load(null, dir, Map.of()))
                .hasMessageContaining("written by an older ./lambda stack")
                .hasMessageContaining("restart that stack and it rewrites the file");
    }

    @Test
    void theChecksOfConfigRecordsNameTheKey() {
        assertThatThrownBy(() -> ConfigValues.requirePositive(Duration.ZERO, "lambda.cassandra.request-timeout"))
                .hasMessage("lambda.cassandra.request-timeout must be positive: PT0S");
        assertThatThrownBy(() -> ConfigValues.requireAtLeast(0, 1, "lambda.batch.keep-versions"))
                .hasMessage("lambda.batch.keep-versions must be at least 1: 0");
        assertThatThrownBy(() -> ConfigValues.requireListenPort(70_000, "lambda.serving.port"))
                .hasMessage("lambda.serving.port must be 0..65535: 70000");
        assertThatThrownBy(() -> HostPort.parse("db", "lambda.cassandra.contact-points"))
                .hasMessage("lambda.cassandra.contact-points is not host:port: db");
        assertThat(HostPort.parseList("a:1, [::1]:2", "k")).containsExactly(new HostPort("a", 1), new HostPort("[::1]", 2));
        assertThatThrownBy(() -> KeyspaceName.requireValid("Views", "lambda.cassandra.keyspace"))
                .hasMessageStartingWith("lambda.cassandra.keyspace must be a lower-case letter");
    }
}
