package io.lambdaplatform.speed;

import com.datastax.oss.driver.api.core.CqlSession;
import io.lambdaplatform.speed.internal.AdminSourceLog;
import io.lambdaplatform.speed.internal.CaughtUpPartitions;
import io.lambdaplatform.speed.internal.IdlePartitions;
import io.lambdaplatform.viewstore.CassandraBatchViews;
import io.lambdaplatform.viewstore.CassandraLegacySpeedRows;
import io.lambdaplatform.viewstore.CassandraSpeedViews;
import io.lambdaplatform.viewstore.SpeedRowsUpgrade;
import io.lambdaplatform.viewstore.SpeedViews;
import io.lambdaplatform.viewstore.ViewSchema;
import io.lambdaplatform.viewstore.ViewStoreException;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * The running speed layer: a Cassandra session, the Kafka Streams application, the idle-partition
 * check and the health/metrics endpoint. {@link #close()} stops them in order; closing the streams
 * application commits, and so first writes everything pending.
 */
public final class SpeedApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SpeedApp.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(60);

    private final SpeedConfig config;
    private final CqlSession session;
    private final SpeedViews views;
    private final CaughtUpPartitions caughtUp = new CaughtUpPartitions();
    private final PrometheusMeterRegistry registry;
    private final KafkaStreams streams;
    private final KafkaStreamsMetrics streamsMetrics;
    private final Admin admin;
    private final AdminSourceLog log;
    private final ScheduledExecutorService scheduler;
    private final SpeedHttp http;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean failed;

    private SpeedApp(SpeedConfig config, CqlSession session, Optional<String> feed) {
        this.config = config;
        this.session = session;
        if (config.createSchema()) {
            ViewSchema.create(session, config.cassandra().keyspace(), config.replicationFactor());
        }
        this.views = new CassandraSpeedViews(session, config.cassandra().keyspace(), config.retention());
        // Before the first row of this release: the rows an earlier release wrote to its table, once (a marker says so; a
        // Kappa-mode set of views has only the speed tables and is marked at its creation).
        if (views.legacyRowsCopy().isEmpty()) {
            SpeedRowsUpgrade.copyLegacyRows(new CassandraLegacySpeedRows(session, config.cassandra().keyspace()), views,
                    new CassandraBatchViews(session, config.cassandra().keyspace()), Clock.systemUTC());
        }
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().meterFilter(SpeedMetrics.STORE_TAGS);
        SpeedMetrics metrics = new SpeedMetrics(registry);
        this.admin = Admin.create(config.kafka().clientProperties());
        this.log = new AdminSourceLog(admin, config.kafka().eventsTopic(), SpeedTopology.byProductTopic(config.applicationId()),
                config.clockSkew(), Clock.systemUTC());
        Topology topology = SpeedTopology.build(config.withProductTasks(log.productTasks(config.productTasks())), views, metrics, log,
                caughtUp, feed);
        log.keepInStep(SpeedTopology.sourceChangelogs(topology, config.applicationId(), feed.orElse(config.kafka().eventsTopic())));
        this.streams = new KafkaStreams(topology, SpeedTopology.streamsProperties(config));
        this.streams.setUncaughtExceptionHandler(e -> {
            LOG.error("A stream thread failed; replacing it (its tasks restart from their last commit)", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        this.streams.setStateListener((newState, oldState) -> {
            LOG.info("Kafka Streams {} -> {}", oldState, newState);
            if (newState == KafkaStreams.State.ERROR) {
                failed = true;
                stopped.countDown();
            }
        });
        this.streamsMetrics = new KafkaStreamsMetrics(streams);
        this.streamsMetrics.bindTo(registry);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "speed-idle-partitions");
            thread.setDaemon(true);
            return thread;
        });
        this.http = SpeedHttp.start(config.httpHost(), config.httpPort(), registry, this::readiness);
    }

    /** Connects to Cassandra, applies the schema if configured, and starts the streams application and the HTTP endpoint. */
    public static SpeedApp start(SpeedConfig config) {
        return start(config, Optional.empty());
    }

    /**
     * {@link #start(SpeedConfig)}, reading the replay feed {@code feed} instead of the events topic when given ({@code
     * ./lambda replay}). A feed is never "caught up" with the events topic, so its partitions get no idle checks.
     */
    public static SpeedApp start(SpeedConfig config, Optional<String> feed) {
        requireNonNull(config, "config is null");
        requireNonNull(feed, "feed is null");
        LOG.info("Starting the speed layer: {}", config);
        CqlSession session;
        try {
            session = config.cassandra().connect();
        }
        catch (RuntimeException e) {
            throw new ViewStoreException("Cannot connect to Cassandra at " + config.cassandra().contactPoints() + ": " + e.getMessage(), e);
        }
        SpeedApp app;
        try {
            app = new SpeedApp(config, session, feed);
        }
        catch (RuntimeException e) {
            session.close();
            throw e;
        }
        app.streams.start();
        long interval = config.idleCheckInterval().toMillis();
        app.scheduler.scheduleWithFixedDelay(app.log::refreshSourcePartitions, interval, interval, TimeUnit.MILLISECONDS);
        if (feed.isEmpty()) {
            app.scheduler.scheduleWithFixedDelay(
                    new IdlePartitions(app.admin, config.kafka().eventsTopic(), config.applicationId(), config.clockSkew(), app.caughtUp,
                            Clock.systemUTC()),
                    interval, interval, TimeUnit.MILLISECONDS);
        }
        LOG.info("Speed layer started: reading {} as {}, state in {}, health and metrics on http://{}:{}/", feed.orElse(config.kafka().eventsTopic()),
                config.applicationId(), config.stateDir(), config.httpHost(), app.http.port());
        return app;
    }

    public int httpPort() {
        return http.port();
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    public SpeedHttp.Readiness readiness() {
        KafkaStreams.State state = streams.state();
        return new SpeedHttp.Readiness(state.name(), state == KafkaStreams.State.RUNNING, cassandraAnswers());
    }

    private boolean cassandraAnswers() {
        try {
            views.progress();
            return true;
        }
        catch (ViewStoreException e) {
            return false;
        }
    }

    /** Waits at most {@code timeout} for the application to stop; {@code true} when it stopped. */
    public boolean awaitStop(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** {@code true} once the application stopped because Kafka Streams failed. */
    public boolean failed() {
        return failed;
    }

    /** Blocks until the application stops; {@code true} when it stopped because Kafka Streams failed. */
    public boolean awaitStop() throws InterruptedException {
        stopped.await();
        return failed;
    }

    /**
     * The instance's own state directory goes at a clean exit: everything in it is in the changelog topics,
     * and the next instance gets a fresh directory anyway. After a crash it stays behind, unused.
     */
    private void removeStateDir() {
        try (Stream<Path> paths = Files.walk(config.stateDir())) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        catch (IOException | UncheckedIOException e) {
            LOG.warn("Cannot remove the state directory {}: {}", config.stateDir(), e.toString());
        }
    }

    @Override
    public void close() {
        close(false);
    }

    /**
     * Stops as {@link #close()} does; with {@code leaveGroup}, a static member (one with a {@code group.instance.id}, as a
     * replay's) also leaves the consumer group, so that whoever takes the application over next gets its tasks at once
     * instead of after the session timeout.
     */
    public void close(boolean leaveGroup) {
        LOG.info("Stopping the speed layer");
        scheduler.shutdownNow();
        boolean closed = leaveGroup
                ? streams.close(new KafkaStreams.CloseOptions().timeout(CLOSE_TIMEOUT).leaveGroup(true))
                : streams.close(CLOSE_TIMEOUT);
        if (!closed) {
            LOG.warn("Kafka Streams did not stop within {} (Cassandra down?); nothing after the last commit is lost: it is "
                    + "processed again at the next start", CLOSE_TIMEOUT);
        }
        streamsMetrics.close();
        admin.close(Duration.ofSeconds(5));
        http.close();
        session.close();
        if (closed && config.stateDirOwned()) {
            removeStateDir();
        }
        stopped.countDown();
        LOG.info("Speed layer stopped");
    }
}
