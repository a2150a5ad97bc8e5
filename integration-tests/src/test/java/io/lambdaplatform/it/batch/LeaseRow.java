package io.lambdaplatform.it.batch;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** The batch lease as Cassandra holds it, for tests that must wait for a killed run's lease to expire. */
public final class LeaseRow {

    private LeaseRow() {}

    /** The holder of the lease, if someone holds it. */
    public static Optional<String> holder(CqlSession session, String keyspace) {
        Row row = session.execute("SELECT holder FROM " + keyspace + ".batch_lease WHERE scope = 'views'").one();
        return Optional.ofNullable(row).map(held -> held.getString("holder"));
    }

    /** Waits until nobody holds the lease (its time-to-live ended or it was released). */
    public static void awaitFree(CqlSession session, String keyspace, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (holder(session, keyspace).isPresent()) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("The batch lease of " + holder(session, keyspace).orElse("?") + " is still held after " + timeout);
            }
            Thread.sleep(250);
        }
    }
}
