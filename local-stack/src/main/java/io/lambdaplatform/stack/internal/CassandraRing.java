package io.lambdaplatform.stack.internal;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.metadata.Node;
import com.datastax.oss.driver.api.core.metadata.NodeState;
import io.lambdaplatform.stack.StackStartException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;

/**
 * The members of a Cassandra ring of the cluster stack, as one: formed once the driver sees every member UP.
 *
 * <p>A secured ring ({@link #CassandraRing(List, ClusterSecurity)}) is formed once a TLS session sees every member UP
 * with credentials: on the first start the default superuser {@value ClusterSecurity#CASSANDRA_DEFAULT_USER} (which
 * its members make once a quorum of {@code system_auth}'s three replicas runs) creates the superuser role
 * {@value ClusterSecurity#CASSANDRA_USER} with the generated password; then, logged in as that role, the ring drops the
 * default superuser and applies the schema. A restart logs in as {@value ClusterSecurity#CASSANDRA_USER} at once.
 */
public final class CassandraRing {
    private static final Logger log = LoggerFactory.getLogger(CassandraRing.class);

    private final List<CassandraNode> members;
    private final ClusterSecurity security;

    public CassandraRing(List<CassandraNode> members) {
        this(members, null);
    }

    /** A ring whose members are {@link CassandraNode#secured secured} by {@code security} (null: a plaintext ring). */
    public CassandraRing(List<CassandraNode> members, ClusterSecurity security) {
        this.members = List.copyOf(requireNonNull(members, "members is null"));
        this.security = security;
        if (this.members.isEmpty()) {
            throw new IllegalArgumentException("A ring needs at least one member");
        }
    }

    public List<CassandraNode> members() {
        return members;
    }

    /** {@code host:port} of every member, the seed first. */
    public List<String> contactPoints() {
        return members.stream().map(CassandraNode::contactPoint).toList();
    }

    /**
     * Waits until a session through the members sees all of them UP, then applies the schema through it.
     *
     * @param jvms the members' JVMs: waiting fails as soon as one exits
     */
    public void awaitFormed(List<ChildJvm> jvms, Instant deadline, Consumer<CqlSession> schema) {
        requireNonNull(schema, "schema is null");
        String what = "the Cassandra ring " + contactPoints() + " has " + members.size() + " nodes UP";
        if (security == null) {
            try (CqlSession session = Readiness.await(jvms, deadline, what, () -> allUp(CassandraNode.session(contactPoints())))) {
                schema.accept(session);
            }
            return;
        }
        String user = ClusterSecurity.CASSANDRA_USER;
        AtomicBoolean asDefaultSuperuser = new AtomicBoolean();
        CqlSession session = Readiness.await(jvms, deadline, what + ", logged in as " + user + " or " + ClusterSecurity.CASSANDRA_DEFAULT_USER, () -> {
            try {
                return allUp(CassandraNode.session(contactPoints(), security, user, security.cassandraPassword()));
            }
            catch (AllNodesFailedException e) {
                // The first start: only the default superuser exists.
                CqlSession attempt = allUp(CassandraNode.session(contactPoints(), security, ClusterSecurity.CASSANDRA_DEFAULT_USER,
                        ClusterSecurity.CASSANDRA_DEFAULT_USER));
                asDefaultSuperuser.set(true);
                return attempt;
            }
        });
        try {
            if (asDefaultSuperuser.get()) {
                session.execute(SimpleStatement.newInstance("CREATE ROLE IF NOT EXISTS " + user + " WITH PASSWORD = '" + security.cassandraPassword()
                        + "' AND LOGIN = true AND SUPERUSER = true").setConsistencyLevel(DefaultConsistencyLevel.QUORUM));
                log.info("Created the Cassandra role {}", user);
                session.close();
                session = Readiness.await(jvms, deadline, "the Cassandra ring lets " + user + " log in",
                        () -> allUp(CassandraNode.session(contactPoints(), security, user, security.cassandraPassword())));
            }
            session.execute("DROP ROLE IF EXISTS " + ClusterSecurity.CASSANDRA_DEFAULT_USER);
            schema.accept(session);
        }
        finally {
            session.close();
        }
    }

    /** The session when it sees every member UP; otherwise closes it and fails. */
    private CqlSession allUp(CqlSession attempt) {
        Collection<Node> nodes = attempt.getMetadata().getNodes().values();
        long up = nodes.stream().filter(node -> node.getState() == NodeState.UP).count();
        if (nodes.size() != members.size() || up != members.size()) {
            attempt.close();
            throw new StackStartException("The driver sees " + up + " of " + nodes.size() + " nodes UP: " + nodes);
        }
        return attempt;
    }
}
