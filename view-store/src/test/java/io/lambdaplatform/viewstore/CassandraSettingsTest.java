package io.lambdaplatform.viewstore;

import io.lambdaplatform.model.config.PlatformConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CassandraSettingsTest {

    @Test
    void readsThePlatformConfiguration() {
        CassandraSettings settings = CassandraSettings.from(PlatformConfig.load(null, null));

        assertThat(settings.contactPoints()).isEqualTo(List.of("localhost:9042"));
        assertThat(settings.localDatacenter()).isEqualTo("datacenter1");
        assertThat(settings.keyspace()).isEqualTo("lambda");
        assertThat(settings.requestTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(settings.username()).isNull();
    }

    @Test
    void neverShowsThePassword() {
        CassandraSettings settings = CassandraSettings.of("db:9042", "dc1", "lambda").withCredentials("app", "s3cret");

        assertThat(settings.toString()).contains("username=app").contains("password=****").doesNotContain("s3cret");
    }

    @Test
    void rejectsBadSettings() {
        assertThatThrownBy(() -> CassandraSettings.of("db", "dc1", "lambda")).hasMessage("Contact point must be host:port: db");
        assertThatThrownBy(() -> CassandraSettings.of("db:x", "dc1", "lambda")).hasMessage("Contact point port is not a number: db:x");
        assertThatThrownBy(() -> CassandraSettings.of("db:9042", "dc1", "Lambda")).hasMessageContaining("Keyspace must be lower-case");
        assertThatThrownBy(() -> CassandraSettings.of("db:9042", "dc1", "lambda").withCredentials("app", null))
                .hasMessage("Cassandra username and password go together");
    }
}
