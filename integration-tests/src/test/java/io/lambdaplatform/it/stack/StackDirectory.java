package io.lambdaplatform.it.stack;

import io.lambdaplatform.stack.StackEndpoints;

import java.nio.file.Path;

/**
 * A directory holding a stack's {@code endpoints.json}, so that a deployable started by a test can be
 * pointed at the shared stack with {@code --stack DIR}, whichever {@link TestStack} implementation runs it.
 */
public final class StackDirectory {

    private StackDirectory() {}

    /** Writes the endpoints to a fresh directory under the build directory and returns it. */
    public static Path of(StackEndpoints endpoints) {
        Path directory = ChildJvmTestStack.freshDataDir("stack-endpoints-");
        endpoints.write(directory.resolve(StackEndpoints.FILE_NAME));
        return directory;
    }
}
