package io.lambdaplatform.speed;

import com.datastax.oss.driver.api.core.CqlSession;
import io.lambdaplatform.model.ViewDefinition;
import io.lambdaplatform.viewstore.CassandraViewSets;
import io.lambdaplatform.viewstore.ViewSchema;
import io.lambdaplatform.viewstore.ViewSet;
import io.lambdaplatform.viewstore.ViewSets;
import io.lambdaplatform.viewstore.ViewStoreException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static java.util.Objects.requireNonNull;

/**
 * The speed layer in Kappa mode: it builds the set of views readers use ({@link ViewSets#current()}) and follows the
 * pointer. When a replay switches readers to a new set, it stops building the old one and builds the new one, whose
 * Kafka Streams application resumes where the replay committed; after a rollback it resumes the old one the same way.
 * Each set is built with the rules it was begun with, so the process needs no new configuration to follow a replay of
 * changed rules; a set of another release's logic (rules version or view definition) it refuses, naming both.
 */
public final class ViewSetFollower implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ViewSetFollower.class);
    /** How often the pointer is read: readers see a new set at once, the set's rows catch up within this and a restart. */
    static final Duration POINTER_CHECK = Duration.ofSeconds(2);

    private final SpeedConfig config;
    private final CqlSession session;
    private final ViewSets sets;
    private volatile SpeedApp app;
    private volatile boolean closed;

    private ViewSetFollower(SpeedConfig config, CqlSession session, ViewSets sets) {
        this.config = config;
        this.session = session;
        this.sets = sets;
    }

    /** Connects to Cassandra and makes set 0 current if no set is; {@link #run()} then builds the current set. */
    public static ViewSetFollower connect(SpeedConfig config) {
        requireNonNull(config, "config is null");
        CqlSession session = config.cassandra().connect();
        try {
            if (config.createSchema()) {
                ViewSchema.create(session, config.cassandra().keyspace(), config.replicationFactor());
            }
            return new ViewSetFollower(config, session, new CassandraViewSets(session, config.cassandra().keyspace()));
        }
        catch (RuntimeException e) {
            session.close();
            throw e;
        }
    }

    /** Builds the current set, and the next one after each switch, until closed; {@code true} when Kafka Streams failed. */
    public boolean run() throws InterruptedException {
        warnIfTheLogExpires();
        ViewSet current = sets.initial(ViewDefinition.logicVersion(config.rules()), config.rules(), Clock.systemUTC().instant());
        while (!closed) {
            String logic = ViewDefinition.logicVersion(current.rules());
            if (!logic.equals(current.logicVersion())) {
                throw new IllegalStateException("Readers use view set " + current.id() + ", built by logic " + current.logicVersion()
                        + "; this release builds " + logic + ". Run the release that replayed it (or ./lambda replay --rollback).");
            }
            LOG.info("Building view set {} (keyspace {}, logic {})", current.id(), current.keyspace(), current.logicVersion());
            SpeedApp started = SpeedApp.start(config.forViewSet(current));
            app = started;
            long building = current.id();
            Optional<ViewSet> next = Optional.empty();
            while (!closed && next.isEmpty()) {
                if (started.awaitStop(POINTER_CHECK)) {
                    return started.failed();
                }
                next = readPointer().filter(set -> set.id() != building);
            }
            started.close();
            if (next.isPresent()) {
                LOG.info("Readers were switched from view set {} to {}: building that one now", current.id(), next.get().id());
                current = next.get();
            }
        }
        return false;
    }

    /**
     * In Kappa mode the events topic is the only history a replay can read: says so in the log when the topic does not
     * keep every record ({@code retention.ms} or {@code retention.bytes} other than -1).
     */
    private void warnIfTheLogExpires() throws InterruptedException {
        String topic = config.kafka().eventsTopic();
        try (Admin admin = Admin.create(config.kafka().clientProperties())) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config topicConfig = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
            for (String limit : List.of(TopicConfig.RETENTION_MS_CONFIG, TopicConfig.RETENTION_BYTES_CONFIG)) {
                ConfigEntry entry = topicConfig.get(limit);
                if (entry != null && !"-1".equals(entry.value())) {
                    LOG.warn("Kappa mode: {} deletes records ({}={}), so a replay can never rebuild views from them; keep every record"
                            + " with {}=-1 (docs/operations.md, \"Kappa mode\")", topic, limit, entry.value(), limit);
                }
            }
        }
        catch (ExecutionException | TimeoutException | KafkaException e) {
            LOG.warn("Cannot read the retention of {} ({}); in Kappa mode it should keep every record", topic, e.toString());
        }
    }

    private Optional<ViewSet> readPointer() {
        try {
            return sets.current();
        }
        catch (ViewStoreException e) {
            LOG.warn("Cannot read the view-set pointer ({}); building the same set meanwhile", e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        closed = true;
        SpeedApp running = app;
        if (running != null) {
            running.close();
        }
        session.close();
    }
}
