package io.lambdaplatform.it.stack;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Programs a few tests need besides Java: Chromium for the dashboard's browser test, kcat for librdkafka's key
 * placement. Where one is missing, its test is disabled with a reason that says how to install it, as
 * Testcontainers does without Docker, unless the environment variable {@value #REQUIRE} is {@code true}: then the
 * test runs and fails on the missing program. CI sets it, so every such test runs there.
 */
public final class ExternalTools {

    public static final String REQUIRE = "LAMBDA_IT_REQUIRE_TOOLS";

    private ExternalTools() {}

    /** True where missing tools must fail the tests that need them instead of disabling them. */
    public static boolean required() {
        return Boolean.parseBoolean(System.getenv(REQUIRE));
    }

    /** The executable {@code name} on the {@code PATH}. */
    public static Optional<Path> onPath(String name) {
        for (String directory : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(directory, name);
            if (!directory.isEmpty() && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
