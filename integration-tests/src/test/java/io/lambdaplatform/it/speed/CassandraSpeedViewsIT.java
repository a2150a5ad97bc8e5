package io.lambdaplatform.it.speed;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import io.lambdaplatform.it.stack.RealStack;
import io.lambdaplatform.it.stack.StackDirectory;
import io.lambdaplatform.model.config.PlatformConfig;
import io.lambdaplatform.stack.StackEndpoints;
import io.lambdaplatform.viewstore.CassandraSettings;
import io.lambdaplatform.viewstore.CassandraSpeedViews;
import io.lambdaplatform.viewstore.SpeedViews;
import io.lambdaplatform.viewstore.SpeedViewsContract;
import io.lambdaplatform.viewstore.ViewSchema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.time.Duration;

/**
 * The view-store contract on the real Cassandra of the shared stack. It runs in a keyspace of its own, so
 * truncating the speed tables before each test cannot disturb other tests using the stack's keyspace.
 */
@RealStack
class CassandraSpeedViewsIT extends SpeedViewsContract {

    private static final String KEYSPACE = "it_speed_contract";
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
    protected SpeedViews newStore() {
        for (String table : new String[] {ViewSchema.SPEED_ROWS_BY_INGEST, ViewSchema.SPEED_INGEST_DAYS, ViewSchema.SPEED_PRODUCTS, ViewSchema.SPEED_PRODUCT_NAMES, ViewSchema.SPEED_WATERMARKS, ViewSchema.SPEED_HOLES,
                ViewSchema.SPEED_DEAD_LETTER_TOTALS}) {
            session.execute(SimpleStatement.newInstance("TRUNCATE " + KEYSPACE + "." + table).setTimeout(Duration.ofSeconds(60)));
        }
        return new CassandraSpeedViews(session, KEYSPACE);
    }
}
