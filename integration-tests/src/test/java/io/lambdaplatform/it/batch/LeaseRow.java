package io.lambdaplatform.it.batch;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;

import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The batch lease as Cassandra holds it, for tests that must wait for a killed run's lease to expire. */
public final class LeaseRow {

    private LeaseRow() {}

    /** The holder of the lease, if someone holds it. */
    public static Optional<String> holder(CqlSession session, String keyspace) {
        Row row = session.execute("SELECT holder FROM " + keyspace + ".batch_lease WHERE scope = 'views'").one();
        return Optional.ofNullable(row).map(held -> held.getString("holder"));
    }

    /** Waits until nobody holds the lease (its time-to-live ended or it was released). */
    public static void awaitFree(CqlSession session, String keyspace, Duration timeout) {
        await("the batch lease is free").atMost(timeout).pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> assertThat(holder(session, keyspace)).as("holder of the batch lease").isEmpty());
    }
}
