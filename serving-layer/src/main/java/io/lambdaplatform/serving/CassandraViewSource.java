package io.lambdaplatform.serving;

import com.datastax.oss.driver.api.core.CqlSession;
import io.lambdaplatform.viewstore.CassandraBatchViews;
import io.lambdaplatform.viewstore.CassandraSettings;
import io.lambdaplatform.viewstore.CassandraSpeedViews;
import io.lambdaplatform.viewstore.CassandraViewSets;
import io.lambdaplatform.viewstore.SpeedViews;
import io.lambdaplatform.viewstore.ViewSchema;
import io.lambdaplatform.viewstore.ViewStoreUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * The views in Cassandra, reached through one session that is opened in the background: the service
 * starts and answers (503, not ready) while Cassandra is down, and connects as soon as it is up,
 * retrying with exponential backoff. Once a session exists, the driver itself reconnects to nodes that
 * go away and come back, so requests fail with 503 meanwhile and succeed again afterwards.
 */
public final class CassandraViewSource implements ViewSource {

    private static final Logger LOG = LoggerFactory.getLogger(CassandraViewSource.class);

    private final CassandraSettings settings;
    private final boolean createSchema;
    private final int replicationFactor;
    private final Duration minBackoff;
    private final Duration maxBackoff;
    private final ScheduledExecutorService connector;
    private volatile CqlSession session;
    private volatile Views views;
    private volatile String lastFailure = "not connected yet";
    private volatile boolean closed;

    private CassandraViewSource(ServingConfig config) {
        this.settings = config.cassandra();
        this.createSchema = config.createSchema();
        this.replicationFactor = config.replicationFactor();
        this.minBackoff = config.reconnectMinBackoff();
        this.maxBackoff = config.reconnectMaxBackoff();
        this.connector = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "cassandra-connector");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Starts connecting in the background and returns at once. */
    public static CassandraViewSource connect(ServingConfig config) {
        requireNonNull(config, "config is null");
        CassandraViewSource source = new CassandraViewSource(config);
        source.connector.execute(() -> source.attempt(source.minBackoff));
        return source;
    }

    @Override
    public Views views() {
        Views current = views;
        if (current == null) {
            throw new ViewStoreUnavailableException("No Cassandra session: " + lastFailure, null);
        }
        return current;
    }

    /** True once a session is open (nodes may still be down). */
    public boolean isConnected() {
        return views != null;
    }

    @Override
    public void close() {
        closed = true;
        connector.shutdownNow();
        CqlSession open = session;
        if (open != null) {
            open.close();
        }
    }

    private void attempt(Duration backoff) {
        if (closed) {
            return;
        }
        CqlSession opened = null;
        try {
            opened = settings.connect();
            if (createSchema) {
                ViewSchema.create(opened, settings.keyspace(), replicationFactor);
            }
            CqlSession connected = opened;
            Map<String, SpeedViews> speedViews = new ConcurrentHashMap<>();
            // A set's speed views are prepared once, when the first request reads that set.
            Views ready = new Views(new CassandraBatchViews(opened, settings.keyspace()), new CassandraSpeedViews(opened, settings.keyspace()),
                    new CassandraViewSets(opened, settings.keyspace()),
                    set -> speedViews.computeIfAbsent(set.keyspace(), keyspace -> new CassandraSpeedViews(connected, keyspace)));
            session = opened;
            views = ready;
            if (closed) {
                opened.close();
                return;
            }
            LOG.info("Connected to Cassandra at {} (keyspace {})", settings.contactPoints(), settings.keyspace());
        }
        catch (RuntimeException e) {
            if (opened != null) {
                opened.close();
            }
            lastFailure = e.getClass().getSimpleName() + ": " + e.getMessage();
            LOG.warn("Cannot connect to Cassandra at {}: {}; retrying in {}", settings.contactPoints(), lastFailure, backoff);
            Duration next = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
            if (!closed) {
                connector.schedule(() -> attempt(next), backoff.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }
}
