package io.lambdaplatform.viewstore;

import io.lambdaplatform.model.config.PlatformConfig;
import io.lambdaplatform.viewstore.internal.QuorumReadRetryPolicy;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.config.DriverExecutionProfile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static io.lambdaplatform.model.config.ConfigMappingAssertions.assertFullMapping;
import static io.lambdaplatform.model.config.ConfigMappingAssertions.assertRecordedDefaults;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CassandraSettingsTest {

    @Test
    void defaults() {
        assertRecordedDefaults(CassandraSettings::from, CassandraKeys.DEFAULTS);
    }

    @Test
    void everyKeyMaps() {
        assertFullMapping(CassandraSettings::from, List.of("lambda.cassandra"), CassandraKeys.SET, CassandraKeys.MAPPED);
    }

    @Test
    void theDriverBlockOfAConfigFileReachesTheDriverAndOverridesThePlatformSettings(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("platform.conf");
        Files.writeString(file, """
                lambda.cassandra.consistency = local_one
                lambda.cassandra.request-timeout = 3s
                datastax-java-driver {
                  basic.request.page-size = 1234
                  advanced.connection.pool.local.size = 3
                  basic.request.timeout = 7 seconds
                }
                """);
        CassandraSettings settings = CassandraSettings.from(PlatformConfig.load(file, null));

        DriverExecutionProfile profile = DriverConfigLoader.fromString(settings.driverSettings().root().render())
                .getInitialConfig().getDefaultProfile();

        assertThat(settings.consistency()).isEqualTo("LOCAL_ONE");
        assertThat(profile.getString(DefaultDriverOption.REQUEST_CONSISTENCY)).isEqualTo("LOCAL_ONE");
        assertThat(profile.getInt(DefaultDriverOption.REQUEST_PAGE_SIZE)).isEqualTo(1234);
        assertThat(profile.getInt(DefaultDriverOption.CONNECTION_POOL_LOCAL_SIZE)).isEqualTo(3);
        assertThat(profile.getDuration(DefaultDriverOption.REQUEST_TIMEOUT)).isEqualTo(Duration.ofSeconds(7));
        assertThat(profile.getDuration(DefaultDriverOption.CONTROL_CONNECTION_TIMEOUT)).isEqualTo(Duration.ofSeconds(3));
        assertThat(profile.getBoolean(DefaultDriverOption.RECONNECT_ON_INIT)).isFalse();
        assertThat(settings.toString()).contains("driverConfig=(set, not logged)").doesNotContain("1234");
    }

    @Test
    void withoutADriverBlockTheDriverRunsAtTheConfiguredConsistency() {
        CassandraSettings settings = CassandraSettings.from(PlatformConfig.load(null, null));

        DriverExecutionProfile profile = DriverConfigLoader.fromString(settings.driverSettings().root().render())
                .getInitialConfig().getDefaultProfile();

        assertThat(profile.getString(DefaultDriverOption.REQUEST_CONSISTENCY)).isEqualTo("LOCAL_QUORUM");
        assertThat(profile.getDuration(DefaultDriverOption.REQUEST_TIMEOUT)).isEqualTo(Duration.ofSeconds(10));
        assertThat(profile.getInt(DefaultDriverOption.REQUEST_PAGE_SIZE)).isEqualTo(5000);
        assertThat(profile.getString(DefaultDriverOption.RETRY_POLICY_CLASS)).isEqualTo(QuorumReadRetryPolicy.class.getName());
        assertThat(profile.getString(DefaultDriverOption.SPECULATIVE_EXECUTION_POLICY_CLASS)).isEqualTo("ConstantSpeculativeExecutionPolicy");
        assertThat(profile.getInt(DefaultDriverOption.SPECULATIVE_EXECUTION_MAX)).isEqualTo(2);
        assertThat(profile.getDuration(DefaultDriverOption.SPECULATIVE_EXECUTION_DELAY)).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void tlsSettingsConfigureTheDriversSslEngineFactoryUnderTheDriverBlock(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("platform.conf");
        Files.writeString(file, """
                lambda.cassandra.ssl { enabled = true, truststore-path = /etc/lambda/truststore.p12, truststore-password = tpw }
                datastax-java-driver.advanced.ssl-engine-factory.hostname-validation = false
                """);
        CassandraSettings settings = CassandraSettings.from(PlatformConfig.load(file, null));

        DriverExecutionProfile profile = DriverConfigLoader.fromString(settings.driverSettings().root().render())
                .getInitialConfig().getDefaultProfile();

        assertThat(profile.getString(DefaultDriverOption.SSL_ENGINE_FACTORY_CLASS)).isEqualTo("DefaultSslEngineFactory");
        assertThat(profile.getString(DefaultDriverOption.SSL_TRUSTSTORE_PATH)).isEqualTo("/etc/lambda/truststore.p12");
        assertThat(profile.getString(DefaultDriverOption.SSL_TRUSTSTORE_PASSWORD)).isEqualTo("tpw");
        assertThat(profile.getBoolean(DefaultDriverOption.SSL_HOSTNAME_VALIDATION)).as("the driver block wins").isFalse();
        assertThat(settings.toString()).doesNotContain("tpw");
        assertThat(CassandraSettings.from(PlatformConfig.load(null, null)).driverConfig()).as("TLS off by default").isEmpty();
    }

    @Test
    void neverShowsThePassword() {
        CassandraSettings settings = CassandraSettings.of("db:9042", "dc1", "lambda").withCredentials("app", "s3cret");

        assertThat(settings.toString()).contains("username=app").contains("password=****").doesNotContain("s3cret");
    }

    @Test
    void rejectsBadSettings() {
        assertThatThrownBy(() -> CassandraSettings.of("db", "dc1", "lambda")).hasMessage("lambda.cassandra.contact-points is not host:port: db");
        assertThatThrownBy(() -> CassandraSettings.of("db:x", "dc1", "lambda")).hasMessage("lambda.cassandra.contact-points has no numeric port: db:x");
        assertThatThrownBy(() -> CassandraSettings.of("db:9042", "dc1", "Lambda")).hasMessageContaining("must be a lower-case letter, then up to 47 lower-case letters, digits and _");
        assertThatThrownBy(() -> CassandraSettings.of("db:9042", "dc1", "lambda").withCredentials("app", null))
                .hasMessage("lambda.cassandra.username and lambda.cassandra.password go together");
        assertThatThrownBy(() -> CassandraSettings.of("db:9042", "dc1", "lambda").withConsistency("MOST"))
                .hasMessageStartingWith("lambda.cassandra.consistency must be one of [ANY, ONE,");
    }
}
