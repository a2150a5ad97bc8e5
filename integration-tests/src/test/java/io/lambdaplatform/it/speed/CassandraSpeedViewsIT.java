package io.lambdaplatform.it.speed;

import io.lambdaplatform.it.stack.ContractKeyspace;
import io.lambdaplatform.it.stack.RealStack;
import io.lambdaplatform.stack.StackEndpoints;
import io.lambdaplatform.viewstore.CassandraSpeedViews;
import io.lambdaplatform.viewstore.SpeedViews;
import io.lambdaplatform.viewstore.SpeedViewsContract;
import io.lambdaplatform.viewstore.ViewSchema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.util.List;

/**
 * The view-store contract on the real Cassandra of the shared stack. It runs in a keyspace of its own, so
 * truncating the speed tables before each test cannot disturb other tests using the stack's keyspace.
 */
@RealStack
class CassandraSpeedViewsIT extends SpeedViewsContract {

    private static final String KEYSPACE = "it_speed_contract";
    private static ContractKeyspace contract;

    @BeforeAll
    static void connect(StackEndpoints endpoints) {
        contract = ContractKeyspace.create(endpoints, KEYSPACE);
    }

    @AfterAll
    static void disconnect() {
        contract.close();
    }

    @Override
    protected SpeedViews newStore() {
        contract.truncate(List.of(ViewSchema.SPEED_ROWS_BY_INGEST, ViewSchema.SPEED_INGEST_DAYS, ViewSchema.SPEED_PRODUCTS,
                ViewSchema.SPEED_PRODUCT_NAMES, ViewSchema.SPEED_WATERMARKS, ViewSchema.SPEED_HOLES, ViewSchema.SPEED_DEAD_LETTER_TOTALS));
        return new CassandraSpeedViews(contract.session(), KEYSPACE);
    }
}
