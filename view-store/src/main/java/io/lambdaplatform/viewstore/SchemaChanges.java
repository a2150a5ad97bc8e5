package io.lambdaplatform.viewstore;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DriverException;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.metadata.Node;
import com.datastax.oss.driver.api.core.metadata.NodeState;
import com.datastax.oss.driver.api.core.metadata.schema.KeyspaceMetadata;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;

/**
 * DDL statements sent to one coordinator, then a wait until every node that answers has the same schema version.
 *
 * <p>Sent round-robin, a {@code CREATE TABLE} right after the {@code CREATE KEYSPACE} can reach a node that has received
 * the keyspace but not yet applied it, and fails with "Keyspace 'lambda' doesn't exist". The driver's own check did not
 * prevent it: {@link CqlSession#checkSchemaAgreement} compares the versions the control node's {@code system.peers}
 * holds, learnt by gossip, and right after a ring formed it answered "agreed" while two of three nodes still applied the
 * keyspace (two of three {@code ./lambda stack --cluster} starts failed so). One coordinator has applied every earlier
 * statement when it runs the next; the wait asks each node for its own {@code system.local} version.
 */
final class SchemaChanges {
    private static final Duration STATEMENT_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration AGREEMENT_TIMEOUT = Duration.ofSeconds(60);
    /** A node that does not answer within this (paused, or just killed) is left out, as the driver leaves out nodes that are down. */
    private static final Duration VERSION_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration POLL = Duration.ofMillis(200);

    private final CqlSession session;
    // Null when the driver knows no node that is up: then it chooses one per statement.
    private final Node coordinator;

    private SchemaChanges(CqlSession session) {
        this.session = requireNonNull(session, "session is null");
        this.coordinator = upNodes(session).stream().findFirst().orElse(null);
    }

    /**
     * Runs {@code ddl} with the session's schema metadata off, then waits for agreement. With metadata on, the driver
     * refreshes its copy of the whole schema after every statement, each time after its debounce window (1 s): measured
     * on one local node, the 22 statements of {@link ViewSchema#create} took 29.7 s that way and 9.5 s without. Where the
     * DDL needs the schema it asks for it ({@link #keyspace}); afterwards the configured setting is back, which refreshes
     * the metadata once.
     *
     * @throws IllegalStateException when the nodes that answer still disagree after a minute
     */
    static void run(CqlSession session, Consumer<SchemaChanges> ddl) {
        session.setSchemaMetadataEnabled(false);
        try {
            SchemaChanges changes = new SchemaChanges(session);
            ddl.accept(changes);
            changes.awaitAgreement();
        }
        finally {
            session.setSchemaMetadataEnabled(null);
        }
    }

    void execute(String cql) {
        session.execute(SimpleStatement.newInstance(cql).setTimeout(STATEMENT_TIMEOUT).setNode(coordinator));
    }

    /** The keyspace as every node that answers has it, once they agree. */
    Optional<KeyspaceMetadata> keyspace(String keyspace) {
        awaitAgreement();
        return session.refreshSchema().getKeyspace(keyspace);
    }

    private void awaitAgreement() {
        Instant deadline = Instant.now().plus(AGREEMENT_TIMEOUT);
        Map<Node, UUID> versions = versions();
        while (new HashSet<>(versions.values()).size() > 1) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("The Cassandra nodes do not agree on the schema after " + AGREEMENT_TIMEOUT.toSeconds()
                        + " s: " + versions);
            }
            try {
                Thread.sleep(POLL.toMillis());
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for schema agreement", e);
            }
            versions = versions();
        }
    }

    /** Each node's own schema version, of the nodes that are up and answer. */
    private Map<Node, UUID> versions() {
        Map<Node, UUID> versions = new LinkedHashMap<>();
        for (Node node : upNodes(session)) {
            try {
                Row row = session.execute(SimpleStatement.newInstance("SELECT schema_version FROM system.local")
                        .setNode(node).setTimeout(VERSION_TIMEOUT)).one();
                if (row != null) {
                    versions.put(node, row.getUuid("schema_version"));
                }
            }
            catch (DriverException e) {
                // Down since the driver last looked: left out, as the driver leaves out nodes that are down.
            }
        }
        return versions;
    }

    private static List<Node> upNodes(CqlSession session) {
        return session.getMetadata().getNodes().values().stream().filter(node -> node.getState() == NodeState.UP).toList();
    }
}
