package io.lambdaplatform.it.batch;

import com.datastax.oss.driver.api.core.CqlSession;
import io.lambdaplatform.it.stack.RealStack;
import io.lambdaplatform.stack.StackEndpoints;
import io.lambdaplatform.viewstore.BatchViews;
import io.lambdaplatform.viewstore.BatchViewsContract;
import io.lambdaplatform.viewstore.CassandraBatchViews;
import io.lambdaplatform.viewstore.CassandraSettings;
import io.lambdaplatform.viewstore.ViewSchema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

import java.util.List;

/** The view-store contract that the batch layer's unit tests lean on (through the in-memory fake), on real Cassandra. */
@RealStack
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CassandraBatchViewsIT extends BatchViewsContract {

    private static final String KEYSPACE = "it_batch_contract";

    private CqlSession session;

    @BeforeAll
    void connect(StackEndpoints stack) {
        session = CassandraSettings.of(stack.cassandraContactPoint(), stack.cassandraDatacenter(), KEYSPACE).connect();
        ViewSchema.create(session, KEYSPACE, 1);
    }

    @AfterAll
    void disconnect() {
        session.close();
    }

    @Override
    protected BatchViews newStore() {
        for (String table : List.of(ViewSchema.BATCH_VIEWS, ViewSchema.BATCH_VIEW_PARTITIONS, ViewSchema.BATCH_VIEW_PRODUCTS,
                ViewSchema.BATCH_VERSIONS, ViewSchema.BATCH_BUILDS, ViewSchema.BATCH_POINTER, ViewSchema.BATCH_LEASE,
                ViewSchema.BATCH_HOLES)) {
            session.execute("TRUNCATE " + KEYSPACE + "." + table);
        }
        return new CassandraBatchViews(session, KEYSPACE);
    }
}
