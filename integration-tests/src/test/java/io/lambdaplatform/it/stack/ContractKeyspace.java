package io.lambdaplatform.it.stack;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import io.lambdaplatform.model.config.PlatformConfig;
import io.lambdaplatform.stack.StackEndpoints;
import io.lambdaplatform.viewstore.CassandraSettings;
import io.lambdaplatform.viewstore.ViewSchema;

import java.time.Duration;
import java.util.List;

/**
 * A keyspace of its own on the shared stack's Cassandra, with the view schema, for a store contract that truncates its
 * tables before each test: that cannot disturb the tests using the stack's keyspace. The session is the platform's, as
 * {@code endpoints.json} configures it.
 */
public final class ContractKeyspace implements AutoCloseable {

    private final CqlSession session;
    private final String keyspace;

    private ContractKeyspace(CqlSession session, String keyspace) {
        this.session = session;
        this.keyspace = keyspace;
    }

    public static ContractKeyspace create(StackEndpoints endpoints, String keyspace) {
        CqlSession session = CassandraSettings.from(PlatformConfig.load(null, StackDirectory.of(endpoints))).connect();
        ViewSchema.create(session, keyspace, 1);
        return new ContractKeyspace(session, keyspace);
    }

    public CqlSession session() {
        return session;
    }

    public String keyspace() {
        return keyspace;
    }

    /** Empties the given tables of the keyspace: a fresh store for the next test. */
    public void truncate(List<String> tables) {
        for (String table : tables) {
            session.execute(SimpleStatement.newInstance("TRUNCATE " + keyspace + "." + table).setTimeout(Duration.ofSeconds(60)));
        }
    }

    @Override
    public void close() {
        session.close();
    }
}
