package io.lambdaplatform.it.speed;

import java.nio.file.Path;

/** Where the shared stack of the integration-test run is. */
final class SpeedStack {

    static final String PROPERTY = "lambda.it.stack-dir";

    private SpeedStack() {}

    static Path directory() {
        String dir = System.getProperty(PROPERTY);
        if (dir == null) {
            throw new IllegalStateException(PROPERTY + " is not set: the directory of the stack's endpoints.json");
        }
        return Path.of(dir);
    }
}
