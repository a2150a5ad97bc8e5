package io.lambdaplatform.it.speed;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import io.lambdaplatform.it.stack.RealStack;
import io.lambdaplatform.it.stack.StackDirectory;
import io.lambdaplatform.model.config.PlatformConfig;
import io.lambdaplatform.stack.StackEndpoints;
import io.lambdaplatform.viewstore.CassandraSettings;
import io.lambdaplatform.viewstore.CassandraViewSets;
import io.lambdaplatform.viewstore.ViewSchema;
import io.lambdaplatform.viewstore.ViewSets;
import io.lambdaplatform.viewstore.ViewSetsContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.time.Duration;

/** The view-set contract on the real Cassandra of the shared stack, in a keyspace of its own: the pointer moves by Paxos. */
@RealStack
class CassandraViewSetsIT extends ViewSetsContract {

    private static final String KEYSPACE = "it_view_sets";
    private static CqlSession session;

    @BeforeAll
    static void connect(StackEndpoints endpoints) {
        session = CassandraSettings.from(PlatformConfig.load(null, StackDirectory.of(endpoints))).connect();
        ViewSchema.create(session, KEYSPACE, 1);
    }

    @AfterAll
    static void disconnect() {
        session.close();
    }

    @Override
    protected ViewSets newStore() {
        for (String table : new String[] {ViewSchema.VIEW_SETS, ViewSchema.VIEW_SET_POINTER}) {
            session.execute(SimpleStatement.newInstance("TRUNCATE " + KEYSPACE + "." + table).setTimeout(Duration.ofSeconds(60)));
        }
        return new CassandraViewSets(session, KEYSPACE);
    }

    @Override
    protected String base() {
        return KEYSPACE;
    }
}
