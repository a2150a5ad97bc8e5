package io.lambdaplatform.it.speed;

import io.lambdaplatform.it.stack.ContractKeyspace;
import io.lambdaplatform.it.stack.RealStack;
import io.lambdaplatform.stack.StackEndpoints;
import io.lambdaplatform.viewstore.CassandraViewSets;
import io.lambdaplatform.viewstore.ViewSchema;
import io.lambdaplatform.viewstore.ViewSets;
import io.lambdaplatform.viewstore.ViewSetsContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.util.List;

/** The view-set contract on the real Cassandra of the shared stack, in a keyspace of its own: the pointer moves by Paxos. */
@RealStack
class CassandraViewSetsIT extends ViewSetsContract {

    private static final String KEYSPACE = "it_view_sets";
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
    protected ViewSets newStore() {
        contract.truncate(List.of(ViewSchema.VIEW_SETS, ViewSchema.VIEW_SET_POINTER));
        return new CassandraViewSets(contract.session(), KEYSPACE);
    }

    @Override
    protected String base() {
        return KEYSPACE;
    }
}
