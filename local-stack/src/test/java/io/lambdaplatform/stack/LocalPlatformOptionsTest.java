package io.lambdaplatform.stack;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LocalPlatformOptionsTest {

    @TempDir
    Path home;

    @Test
    void defaultsPlaceTheStackAndTheLogsUnderTheDataDirectory() throws IOException {
        Files.writeString(home.resolve("lambda"), "#!/bin/sh\n");
        LocalPlatformOptions options = LocalPlatformOptions.of(home.resolve("data"), home);

        assertThat(options.stackDir()).isEqualTo(home.resolve("data").resolve("stack"));
        assertThat(options.logDir()).isEqualTo(home.resolve("data").resolve("logs"));
        assertThat(options.httpPort()).isEqualTo(8080);
        assertThat(options.generator()).isTrue();
        assertThat(options.withGeneratorRate(0).generator()).isFalse();
        assertThat(options.batchEvery()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void rejectsAHomeWithoutTheScriptAndOutOfRangeValues() throws IOException {
        assertThatThrownBy(() -> LocalPlatformOptions.of(home.resolve("data"), home))
                .hasMessageContaining("home holds no ./lambda script");
        Files.writeString(home.resolve("lambda"), "#!/bin/sh\n");
        LocalPlatformOptions options = LocalPlatformOptions.of(home.resolve("data"), home);
        assertThatThrownBy(() -> options.withHttpPort(0)).hasMessageContaining("httpPort must be between 1 and 65535: 0");
        assertThatThrownBy(() -> options.withGeneratorRate(-1)).hasMessageContaining("generatorRate must not be negative: -1");
        assertThatThrownBy(() -> options.withBatchEvery(Duration.ofSeconds(5))).hasMessageContaining("batchEvery must be at least 10 seconds");
        assertThatThrownBy(() -> options.withFirstBatchAfter(Duration.ofSeconds(-1))).hasMessageContaining("firstBatchAfter must not be negative");
    }

    @Test
    void durationsReadAsShortFormsOrIso() {
        assertThat(LocalCommand.parseDuration("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(LocalCommand.parseDuration("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(LocalCommand.parseDuration("1H")).isEqualTo(Duration.ofHours(1));
        assertThat(LocalCommand.parseDuration("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(LocalCommand.parseDuration("PT2M")).isEqualTo(Duration.ofMinutes(2));
        assertThatThrownBy(() -> LocalCommand.parseDuration("five minutes")).hasMessageContaining("not a duration (e.g. 90s, 5m, 1h, PT5M): five minutes");
    }
}
