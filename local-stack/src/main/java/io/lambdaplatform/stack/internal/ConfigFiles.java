package io.lambdaplatform.stack.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** Writes the servers' generated configuration files. */
public final class ConfigFiles {
    /** A logback configuration for servers that log through logback: INFO and above to stdout, i.e. the log file. */
    public static final String LOGBACK_TO_STDOUT = """
            <configuration>
              <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
                <encoder>
                  <pattern>%d{ISO8601} %-5level [%thread] %logger{36} - %msg%n</pattern>
                </encoder>
              </appender>
              <root level="INFO">
                <appender-ref ref="STDOUT"/>
              </root>
            </configuration>
            """;

    /** Read and write for the owner only: what every file holding a password gets. */
    public static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private ConfigFiles() {}

    public static void write(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, content, StandardCharsets.UTF_8);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file, e);
        }
    }

    /**
     * Writes a file that holds a secret (a password, a key store's password): created afresh with owner-only
     * permissions ({@code 0600}) before anything is written to it.
     */
    public static void writeOwnerOnly(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            createOwnerOnly(file);
            Files.writeString(file, content, StandardCharsets.UTF_8);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file, e);
        }
    }

    /** Creates {@code file} empty with owner-only permissions, replacing whatever was there. */
    public static void createOwnerOnly(Path file) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    }
}
