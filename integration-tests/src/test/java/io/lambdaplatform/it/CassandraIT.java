package io.lambdaplatform.it;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.metadata.schema.KeyspaceMetadata;
import io.lambdaplatform.it.stack.RealStack;
import io.lambdaplatform.stack.StackEndpoints;
import io.lambdaplatform.viewstore.ViewSchema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

@RealStack
class CassandraIT {
    private CqlSession session;

    @BeforeEach
    void connect(StackEndpoints endpoints) {
        String[] contactPoint = endpoints.cassandraContactPoint().split(":");
        session = CqlSession.builder()
                .addContactPoint(new InetSocketAddress(contactPoint[0], Integer.parseInt(contactPoint[1])))
                .withLocalDatacenter(endpoints.cassandraDatacenter())
                // DDL on two cores shared with other test classes' servers can take longer than the driver's 2 s
                .withConfigLoader(DriverConfigLoader.programmaticBuilder()
                        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(30))
                        .withDuration(DefaultDriverOption.CONTROL_CONNECTION_AGREEMENT_TIMEOUT, Duration.ofSeconds(30))
                        .build())
                .build();
    }

    @AfterEach
    void disconnect() {
        session.close();
    }

    @Test
    void preparedStatementsRoundTripThroughAScratchTable() {
        session.execute("CREATE KEYSPACE IF NOT EXISTS it_scratch WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
        session.execute("CREATE TABLE IF NOT EXISTS it_scratch.round_trip (id text PRIMARY KEY, revenue decimal, seen_at timestamp)");
        PreparedStatement insert = session.prepare("INSERT INTO it_scratch.round_trip (id, revenue, seen_at) VALUES (?, ?, ?)");
        PreparedStatement select = session.prepare("SELECT revenue, seen_at FROM it_scratch.round_trip WHERE id = ?");

        session.execute(insert.bind("e-1", new BigDecimal("19.99"), Instant.parse("2026-11-24T10:15:30.123Z")));
        session.execute(insert.bind("e-2", new BigDecimal("-5.01"), Instant.parse("2026-11-24T23:59:59.999Z")));

        Row first = session.execute(select.bind("e-1")).one();
        Row second = session.execute(select.bind("e-2")).one();
        assertThat(first.getBigDecimal("revenue")).isEqualByComparingTo("19.99");
        assertThat(first.getInstant("seen_at")).isEqualTo(Instant.parse("2026-11-24T10:15:30.123Z"));
        assertThat(second.getBigDecimal("revenue")).isEqualByComparingTo("-5.01");
        assertThat(session.execute(select.bind("e-3")).one()).isNull();
    }

    @Test
    void theViewSchemaExists(StackEndpoints endpoints) {
        KeyspaceMetadata keyspace = session.getMetadata().getKeyspace(endpoints.cassandraKeyspace()).orElseThrow();

        assertThat(keyspace.getReplication()).containsEntry("replication_factor", "1");
        assertThat(keyspace.getTables().keySet()).map(CqlIdentifier::asInternal).containsExactlyInAnyOrder(
                ViewSchema.BATCH_VIEWS,
                ViewSchema.BATCH_VIEW_PARTITIONS,
                ViewSchema.BATCH_VIEW_PRODUCTS,
                ViewSchema.BATCH_VERSIONS,
                ViewSchema.BATCH_POINTER,
                ViewSchema.BATCH_LEASE,
                ViewSchema.BATCH_HOLES,
                ViewSchema.BATCH_BUILDS,
                ViewSchema.SPEED_VIEWS,
                ViewSchema.SPEED_PRODUCTS,
                ViewSchema.SPEED_PRODUCT_NAMES,
                ViewSchema.SPEED_PROGRESS,
                ViewSchema.SPEED_DEAD_LETTERS,
                ViewSchema.SPEED_ROWS_BY_INGEST,
                ViewSchema.SPEED_INGEST_DAYS,
                ViewSchema.SPEED_WATERMARKS,
                ViewSchema.SPEED_HOLES,
                ViewSchema.SPEED_DEAD_LETTER_TOTALS,
                ViewSchema.VIEW_UPGRADES,
                ViewSchema.VIEW_SETS,
                ViewSchema.VIEW_SET_POINTER);
        assertThat(keyspace.getTable(ViewSchema.SPEED_ROWS_BY_INGEST).orElseThrow().getOptions())
                .containsEntry(CqlIdentifier.fromInternal("default_time_to_live"), (int) ViewSchema.DEFAULT_SPEED_RETENTION.toSeconds());
    }

    @Test
    void theServerIsCassandraFive() {
        Row local = session.execute("SELECT release_version, data_center FROM system.local").one();

        assertThat(local.getString("release_version")).isEqualTo("5.0.6");
        assertThat(local.getString("data_center")).isEqualTo("datacenter1");
    }
}
