package io.lambdaplatform.batch;

import com.datastax.oss.driver.api.core.CqlSession;
import io.lambdaplatform.viewstore.BatchViews;
import io.lambdaplatform.viewstore.CassandraBatchViews;
import io.lambdaplatform.viewstore.CassandraSettings;
import io.lambdaplatform.viewstore.ViewSchema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static java.util.Objects.requireNonNull;

/**
 * {@link BatchViews} in Cassandra, with one {@link CqlSession} per JVM and settings: every task an executor
 * runs reuses it (a session is expensive: connections, prepared statements, metadata).
 */
public record CassandraBatchViewsFactory(CassandraSettings settings, ViewWriteSettings writes) implements BatchViewsFactory {

    private static final Logger LOG = LoggerFactory.getLogger(CassandraBatchViewsFactory.class);
    private static final Map<CassandraBatchViewsFactory, Opened> OPENED = new ConcurrentHashMap<>();

    public CassandraBatchViewsFactory {
        requireNonNull(settings, "settings is null");
        requireNonNull(writes, "writes is null");
    }

    public static CassandraBatchViewsFactory of(BatchConfig config) {
        return new CassandraBatchViewsFactory(config.cassandra(), config.viewWrites());
    }

    @Override
    public BatchViews open() {
        return OPENED.computeIfAbsent(this, CassandraBatchViewsFactory::connect).views();
    }

    /** Creates the keyspace and tables if they do not exist (idempotent). */
    public void applySchema(int replicationFactor) {
        ViewSchema.create(OPENED.computeIfAbsent(this, CassandraBatchViewsFactory::connect).session(), settings.keyspace(), replicationFactor);
    }

    /** Closes every session this JVM opened; for the end of the driver program. */
    public static void closeAll() {
        OPENED.values().forEach(opened -> opened.session().close());
        OPENED.clear();
    }

    private static Opened connect(CassandraBatchViewsFactory factory) {
        LOG.info("Connecting to Cassandra {}", factory.settings());
        return new Opened(factory.settings().connect(), factory);
    }

    /** A session and the views on it, prepared once (after the schema exists) and shared by every task. */
    private static final class Opened {
        private final CqlSession session;
        private final CassandraBatchViewsFactory factory;
        private BatchViews views;

        Opened(CqlSession session, CassandraBatchViewsFactory factory) {
            this.session = session;
            this.factory = factory;
        }

        CqlSession session() {
            return session;
        }

        synchronized BatchViews views() {
            if (views == null) {
                views = new CassandraBatchViews(session, factory.settings().keyspace(), factory.writes().limits());
            }
            return views;
        }
    }
}
