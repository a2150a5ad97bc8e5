package io.lambdaplatform.stack.internal;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.metadata.Node;
import com.datastax.oss.driver.api.core.metadata.NodeState;
import io.lambdaplatform.stack.StackStartException;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;

/** The members of a Cassandra ring of the cluster stack, as one: formed once the driver sees every member UP. */
public final class CassandraRing {
    private final List<CassandraNode> members;

    public CassandraRing(List<CassandraNode> members) {
        this.members = List.copyOf(requireNonNull(members, "members is null"));
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
        try (CqlSession session = Readiness.await(jvms, deadline, what, () -> {
            CqlSession attempt = CassandraNode.session(contactPoints());
            Collection<Node> nodes = attempt.getMetadata().getNodes().values();
            long up = nodes.stream().filter(node -> node.getState() == NodeState.UP).count();
            if (nodes.size() != members.size() || up != members.size()) {
                attempt.close();
                throw new StackStartException("The driver sees " + up + " of " + nodes.size() + " nodes UP: " + nodes);
            }
            return attempt;
        })) {
            schema.accept(session);
        }
    }
}
