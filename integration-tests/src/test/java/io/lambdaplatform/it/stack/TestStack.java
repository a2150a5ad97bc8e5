package io.lambdaplatform.it.stack;

import io.lambdaplatform.stack.StackEndpoints;

/**
 * Real Kafka, Cassandra and S3 servers that integration tests run against. One implementation starts them as
 * child JVMs ({@link ChildJvmTestStack}); one for machines with Docker can start containers. Tests see only the
 * endpoints, so they run unchanged on either.
 */
public interface TestStack extends AutoCloseable {
    /** Where the servers listen; the topics, the bucket and the view schema exist. */
    StackEndpoints endpoints();

    /**
     * Stops one server cleanly and starts it again on the same address with the same data, returning once it
     * accepts clients again: {@code kafka}, {@code cassandra} or {@code s3proxy}.
     */
    void restart(String server);

    /** Stops the servers. */
    @Override
    void close();
}
