package io.lambdaplatform.viewstore;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DriverException;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import io.lambdaplatform.viewstore.internal.DriverCalls;

import java.util.function.Consumer;

import static io.lambdaplatform.viewstore.ViewSchema.SPEED_ROWS;
import static java.util.Objects.requireNonNull;

/**
 * {@link LegacySpeedRows} in Cassandra: a paged scan of the whole {@link ViewSchema#SPEED_ROWS} table (its rows
 * outlive their last write by the speed layer's retention at most, so the table is as large as a retention of
 * rows). The version of a row is its cell timestamp, as the earlier release wrote it ({@code USING TIMESTAMP}).
 */
public final class CassandraLegacySpeedRows implements LegacySpeedRows {

    private static final int PAGE_SIZE = 1_000;

    private final CqlSession session;
    private final String keyspace;

    public CassandraLegacySpeedRows(CqlSession session, String keyspace) {
        this.session = requireNonNull(session, "session is null");
        this.keyspace = requireNonNull(keyspace, "keyspace is null");
    }

    @Override
    public boolean exists() {
        return session.refreshSchema().getKeyspace(keyspace).flatMap(metadata -> metadata.getTable(SPEED_ROWS)).isPresent();
    }

    @Override
    public void forEach(Consumer<SpeedRow> each) {
        SimpleStatement scan = SimpleStatement.newInstance("SELECT product_id, window_start, ingest_bucket, source_partition, correction, "
                + "event_count, revenue, duration_sum_ms, WRITETIME(event_count) AS version FROM " + keyspace + "." + SPEED_ROWS)
                .setPageSize(PAGE_SIZE);
        String what = "read the speed rows of the earlier release";
        try {
            // Iterating fetches the next page when the current one is used up.
            for (Row row : DriverCalls.execute(session, scan, what)) {
                each.accept(CassandraSpeedViews.speedRow(row.getString("product_id"), row));
            }
        }
        catch (DriverException e) {
            throw DriverCalls.translate(what, e);
        }
    }
}
