package io.lambdaplatform.stack.internal;

import java.time.Instant;

/** One server of the local stack: how to launch it as a child JVM and how to tell it is ready. */
public interface ServerNode {
    /** {@code kafka}, {@code cassandra} or {@code s3proxy}: names the log file and the messages. */
    String name();

    /** Writes the server's configuration under the data directory and starts its JVM; does not wait. */
    ChildJvm launch();

    /**
     * Blocks until the server accepts clients and holds what the platform needs (topics, bucket, schema).
     *
     * @throws io.lambdaplatform.stack.StackStartException when the JVM exits or the deadline passes first
     */
    void awaitReady(ChildJvm jvm, Instant deadline);
}
