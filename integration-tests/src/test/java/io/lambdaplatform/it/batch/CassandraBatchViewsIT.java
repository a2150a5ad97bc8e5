package io.lambdaplatform.it.batch;

import io.lambdaplatform.it.stack.ContractKeyspace;
import io.lambdaplatform.it.stack.RealStack;
import io.lambdaplatform.stack.StackEndpoints;
import io.lambdaplatform.viewstore.BatchViews;
import io.lambdaplatform.viewstore.BatchViewsContract;
import io.lambdaplatform.viewstore.CassandraBatchViews;
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

    private ContractKeyspace contract;

    @BeforeAll
    void connect(StackEndpoints endpoints) {
        contract = ContractKeyspace.create(endpoints, KEYSPACE);
    }

    @AfterAll
    void disconnect() {
        contract.close();
    }

    @Override
    protected BatchViews newStore() {
        contract.truncate(List.of(ViewSchema.BATCH_VIEWS, ViewSchema.BATCH_VIEW_PARTITIONS, ViewSchema.BATCH_VIEW_PRODUCTS,
                ViewSchema.BATCH_VERSIONS, ViewSchema.BATCH_BUILDS, ViewSchema.BATCH_POINTER, ViewSchema.BATCH_LEASE,
                ViewSchema.BATCH_HOLES));
        return new CassandraBatchViews(contract.session(), KEYSPACE);
    }
}
