package io.lambdaplatform.it;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import io.lambdaplatform.it.stack.RealStack;
import io.lambdaplatform.model.Event;
import io.lambdaplatform.model.EventWindow;
import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.model.Metrics;
import io.lambdaplatform.model.ViewKey;
import io.lambdaplatform.stack.StackEndpoints;
import io.lambdaplatform.viewstore.CassandraBatchViews;
import io.lambdaplatform.viewstore.CassandraSettings;
import io.lambdaplatform.viewstore.PartitionSpan;
import io.lambdaplatform.viewstore.StoredPartition;
import io.lambdaplatform.viewstore.ViewPartition;
import io.lambdaplatform.viewstore.ViewRow;
import io.lambdaplatform.viewstore.ViewSchema;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A keyspace created by release 0.1 (64-bit duration sums, no sketches, a partition index without {@code stored_in})
 * upgraded in place by {@link ViewSchema#create}, on real Cassandra.
 */
@RealStack
class ViewSchemaUpgradeIT {

    private static final String KEYSPACE = "it_schema_upgrade";
    private static final Instant DAY = Instant.parse("2026-11-24T00:00:00Z");

    @Test
    void addsTheExactDurationSketchAndSharingColumnsAndStillReadsRowsWrittenBeforeThem(StackEndpoints stack) {
        try (CqlSession session = CassandraSettings.of(stack.cassandraContactPoint(), stack.cassandraDatacenter(), KEYSPACE).connect()) {
            session.execute("CREATE KEYSPACE IF NOT EXISTS " + KEYSPACE
                    + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
            session.execute("DROP TABLE IF EXISTS " + KEYSPACE + ".batch_views");
            // batch_views as release 0.1 created it.
            session.execute("CREATE TABLE " + KEYSPACE + ".batch_views (version bigint, product_id text, granularity text, "
                    + "partition_start timestamp, window_start timestamp, event_count bigint, revenue decimal, duration_sum_ms bigint, "
                    + "PRIMARY KEY ((version, product_id, granularity, partition_start), window_start))");
            session.execute(SimpleStatement.newInstance("INSERT INTO " + KEYSPACE + ".batch_views (version, product_id, granularity, "
                    + "partition_start, window_start, event_count, revenue, duration_sum_ms) VALUES (1, 'p-old', '1d', ?, ?, 3, 1.50, 4200)",
                    PartitionSpan.partitionStart(Granularity.ONE_DAY, DAY), DAY));
            // Its partition index as that release wrote it: every partition of a version stored in the version itself.
            session.execute("DROP TABLE IF EXISTS " + KEYSPACE + ".batch_view_partitions");
            session.execute("CREATE TABLE " + KEYSPACE + ".batch_view_partitions (version bigint, product_id text, granularity text, "
                    + "partition_start timestamp, PRIMARY KEY ((version, product_id), granularity, partition_start))");
            session.execute(SimpleStatement.newInstance("INSERT INTO " + KEYSPACE + ".batch_view_partitions (version, product_id, granularity, "
                    + "partition_start) VALUES (1, 'p-old', '1d', ?)", PartitionSpan.partitionStart(Granularity.ONE_DAY, DAY)));

            ViewSchema.create(session, KEYSPACE, 1);
            ViewSchema.create(session, KEYSPACE, 1);

            CassandraBatchViews views = new CassandraBatchViews(session, KEYSPACE);
            assertThat(views.read(1, "p-old", Granularity.ONE_DAY, DAY, DAY.plusSeconds(1)))
                    .containsExactly(row("p-old", new Metrics(3, new BigDecimal("1.50"), 4200)))
                    .allSatisfy(old -> assertThat(old.metrics().sketches()).as("a row written before the sketches has none").isNull());
            assertThat(views.partitions(1, "p-old", Granularity.ONE_DAY)).as("an index entry without stored_in: the version's own rows")
                    .containsExactly(new StoredPartition(new ViewPartition("p-old", Granularity.ONE_DAY,
                            PartitionSpan.partitionStart(Granularity.ONE_DAY, DAY)), 1));

            Metrics huge = new Metrics(9_300_000, new BigDecimal("7.00"), new BigInteger("9300000000000000000"));
            try (var writer = views.writer(2)) {
                writer.write(row("p-new", huge));
            }
            assertThat(views.read(2, "p-new", Granularity.ONE_DAY, DAY, DAY.plusSeconds(1))).containsExactly(row("p-new", huge));

            Metrics sketched = Metrics.of(new Event("e-1", "p-sketched", "u-1", BigDecimal.ONE, 40, DAY))
                    .merge(Metrics.of(new Event("e-2", "p-sketched", "u-2", BigDecimal.ONE, 60, DAY)));
            try (var writer = views.writer(2)) {
                writer.write(row("p-sketched", sketched));
            }
            assertThat(views.read(2, "p-sketched", Granularity.ONE_DAY, DAY, DAY.plusSeconds(1))).singleElement()
                    .satisfies(read -> {
                        assertThat(read).isEqualTo(row("p-sketched", sketched));
                        assertThat(read.metrics().sketches().users().estimate()).isEqualTo(2);
                    });
        }
    }

    private static ViewRow row(String product, Metrics metrics) {
        return new ViewRow(new ViewKey(product, new EventWindow(Granularity.ONE_DAY, DAY)), metrics);
    }
}
