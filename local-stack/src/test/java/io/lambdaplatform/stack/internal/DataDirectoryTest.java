package io.lambdaplatform.stack.internal;

import io.lambdaplatform.stack.StackStartException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DataDirectoryTest {
    @Test
    void onlyOneStackAtATime(@TempDir Path dir) {
        try (DataDirectory first = DataDirectory.lock(dir)) {
            assertThat(first.path()).isEqualTo(dir.toAbsolutePath());
            assertThatThrownBy(() -> DataDirectory.lock(dir))
                    .isInstanceOf(StackStartException.class)
                    .hasMessageContaining("Another local stack is running on " + dir.toAbsolutePath());
        }
        DataDirectory.lock(dir).close();
    }

    @Test
    void wipeDeletesWhatAStackCreatedButKeepsTheLock(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("kafka/events-0"));
        Files.writeString(dir.resolve("kafka/events-0/00000000000000000000.log"), "records");
        Files.createDirectories(dir.resolve("logs"));
        Files.writeString(dir.resolve("endpoints.json"), "{}");

        try (DataDirectory directory = DataDirectory.lock(dir)) {
            directory.wipe();
        }

        try (var entries = Files.list(dir)) {
            assertThat(entries.map(entry -> entry.getFileName().toString())).containsExactly("stack.lock");
        }
    }

    @Test
    void wipeRefusesADirectoryWithForeignFiles(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("thesis.tex"), "irreplaceable");
        Files.createDirectories(dir.resolve("kafka"));

        try (DataDirectory directory = DataDirectory.lock(dir)) {
            assertThatThrownBy(directory::wipe)
                    .isInstanceOf(StackStartException.class)
                    .hasMessageContaining("Refusing to wipe " + dir.toAbsolutePath())
                    .hasMessageContaining("thesis.tex");
        }
        assertThat(dir.resolve("thesis.tex")).hasContent("irreplaceable");
        assertThat(dir.resolve("kafka")).isDirectory();
    }

    @Test
    void prepareAndCloseRemoveStaleEndpoints(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("endpoints.json"), "{}");
        try (DataDirectory directory = DataDirectory.lock(dir)) {
            directory.prepare();
            assertThat(directory.endpointsFile()).doesNotExist();
            assertThat(dir.resolve("logs")).isDirectory();
            Files.writeString(directory.endpointsFile(), "{}");
        }
        assertThat(dir.resolve("endpoints.json")).doesNotExist();
    }
}
