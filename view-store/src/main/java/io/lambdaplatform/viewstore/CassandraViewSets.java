package io.lambdaplatform.viewstore;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import io.lambdaplatform.model.RuleSettings;
import io.lambdaplatform.viewstore.internal.DriverCalls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static io.lambdaplatform.viewstore.ViewSchema.VIEW_SETS;
import static io.lambdaplatform.viewstore.ViewSchema.VIEW_SET_POINTER;
import static java.util.Objects.requireNonNull;

/**
 * {@link ViewSets} in the platform's keyspace: a row per set in {@link ViewSchema#VIEW_SETS} and the pointer in
 * {@link ViewSchema#VIEW_SET_POINTER}, moved by a lightweight transaction. A set's own keyspace is created by whoever
 * builds it ({@link ViewSchema#create}) and dropped by {@link #drop}.
 */
public final class CassandraViewSets implements ViewSets {

    private static final Logger LOG = LoggerFactory.getLogger(CassandraViewSets.class);
    private static final String SCOPE = "views";
    private static final long NONE = -1;
    private static final int MAX_ALLOCATION_ATTEMPTS = 10;

    private final CqlSession session;
    private final String keyspace;
    private final PreparedStatement insertSet;
    private final PreparedStatement selectSets;
    private final PreparedStatement markSwitched;
    private final PreparedStatement deleteSet;
    private final PreparedStatement createPointer;
    private final PreparedStatement movePointer;
    private final PreparedStatement selectPointer;

    /** @param keyspace the platform's keyspace, with the schema applied ({@link ViewSchema#create}) */
    public CassandraViewSets(CqlSession session, String keyspace) {
        this.session = requireNonNull(session, "session is null");
        this.keyspace = requireNonNull(keyspace, "keyspace is null");
        String k = keyspace + ".";
        this.insertSet = session.prepare("INSERT INTO " + k + VIEW_SETS + " (scope, id, keyspace_name, logic_version, rules, created_at)"
                + " VALUES (?, ?, ?, ?, ?, ?) IF NOT EXISTS");
        this.selectSets = session.prepare("SELECT id, keyspace_name, logic_version, rules, created_at, switched_at FROM " + k + VIEW_SETS
                + " WHERE scope = ?");
        this.markSwitched = session.prepare("UPDATE " + k + VIEW_SETS + " SET switched_at = ? WHERE scope = ? AND id = ?");
        this.deleteSet = session.prepare("DELETE FROM " + k + VIEW_SETS + " WHERE scope = ? AND id = ?");
        this.createPointer = session.prepare("INSERT INTO " + k + VIEW_SET_POINTER + " (scope, id, previous, switched_at) VALUES (?, ?, ?, ?)"
                + " IF NOT EXISTS");
        this.movePointer = session.prepare("UPDATE " + k + VIEW_SET_POINTER + " SET id = ?, previous = ?, switched_at = ? WHERE scope = ?"
                + " IF id = ?");
        this.selectPointer = session.prepare("SELECT id, previous FROM " + k + VIEW_SET_POINTER + " WHERE scope = ?");
    }

    private record Pointer(long current, long previous) {}

    @Override
    public Optional<ViewSet> current() {
        return pointer().flatMap(pointer -> find(pointer.current()));
    }

    @Override
    public Optional<ViewSet> previous() {
        return pointer().filter(pointer -> pointer.previous() != NONE).flatMap(pointer -> find(pointer.previous()));
    }

    @Override
    public ViewSet initial(String logicVersion, RuleSettings rules, Instant now) {
        // Both inserts do nothing when the row is there: several instances may race here, and an existing set 0 stays as it is.
        DriverCalls.execute(session, insertSet.bind(SCOPE, 0L, keyspace, logicVersion, rules.describe(), now), "record view set 0");
        DriverCalls.execute(session, createPointer.bind(SCOPE, 0L, NONE, now), "create the view-set pointer");
        ViewSet current = current().orElseThrow(() -> new ViewStoreException("The view-set pointer names a set that has no row"));
        if (current.id() == 0 && current.switchedAt().isEmpty()) {
            DriverCalls.execute(session, markSwitched.bind(now, SCOPE, 0L), "mark view set 0 current");
            return current.switched(now);
        }
        return current;
    }

    @Override
    public ViewSet begin(String logicVersion, RuleSettings rules, Instant now) {
        for (int attempt = 0; attempt < MAX_ALLOCATION_ATTEMPTS; attempt++) {
            long next = all().stream().mapToLong(ViewSet::id).max().orElse(0) + 1;
            String name = ViewSet.keyspaceOf(keyspace, next);
            Row result = DriverCalls.execute(session, insertSet.bind(SCOPE, next, name, logicVersion, rules.describe(), now),
                    "allocate view set " + next).one();
            if (result != null && result.getBoolean("[applied]")) {
                LOG.info("Began view set {} in keyspace {} (logic {})", next, name, logicVersion);
                return new ViewSet(next, name, logicVersion, rules, now, Optional.empty());
            }
        }
        throw new ViewStoreException("Could not allocate a view set after " + MAX_ALLOCATION_ATTEMPTS + " attempts: another replay"
                + " keeps taking the next number");
    }

    @Override
    public Optional<ViewSet> pending() {
        long current = pointer().map(Pointer::current).orElse(NONE);
        return all().stream().filter(set -> set.id() > current && set.switchedAt().isEmpty()).findFirst();
    }

    @Override
    public List<ViewSet> all() {
        return DriverCalls.query(session, selectSets.bind(SCOPE), "list view sets", CassandraViewSets::set);
    }

    @Override
    public ViewSet switchTo(ViewSet target, long expectedCurrent, Instant now) {
        Row result;
        String what = "switch readers from view set " + expectedCurrent + " to " + target.id();
        try {
            result = DriverCalls.execute(session, movePointer.bind(target.id(), expectedCurrent, now, SCOPE, expectedCurrent), what).one();
        }
        catch (ViewStoreException e) {
            // The outcome of a timed-out Paxos round is unknown until read.
            if (pointer().map(Pointer::current).orElse(NONE) != target.id()) {
                throw e;
            }
            result = null;
        }
        if (result != null && !result.getBoolean("[applied]")) {
            Object actual = result.isNull("id") ? "no set" : "set " + result.getLong("id");
            throw new ViewSetMovedException("Cannot " + what + ": the pointer shows " + actual + " (another replay or rollback moved it)");
        }
        DriverCalls.execute(session, markSwitched.bind(now, SCOPE, target.id()), "mark view set " + target.id() + " switched to");
        LOG.info("Readers switched from view set {} to {} (logic {})", expectedCurrent, target.id(), target.logicVersion());
        return target.switched(now);
    }

    @Override
    public void drop(ViewSet set) {
        Pointer pointer = pointer().orElse(new Pointer(NONE, NONE));
        if (set.id() == 0 || set.id() == pointer.current() || set.id() == pointer.previous()) {
            throw new IllegalArgumentException("View set " + set.id() + " is the platform's own, current or previous: it is never dropped");
        }
        DriverCalls.execute(session, SimpleStatement.newInstance("DROP KEYSPACE IF EXISTS " + set.keyspace()).setTimeout(Duration.ofSeconds(60)),
                "drop keyspace " + set.keyspace());
        DriverCalls.execute(session, deleteSet.bind(SCOPE, set.id()), "forget view set " + set.id());
        LOG.info("Dropped view set {} (keyspace {})", set.id(), set.keyspace());
    }

    private Optional<Pointer> pointer() {
        return DriverCalls.query(session, selectPointer.bind(SCOPE), "read the view-set pointer",
                row -> new Pointer(row.getLong("id"), row.isNull("previous") ? NONE : row.getLong("previous"))).stream().findFirst();
    }

    private Optional<ViewSet> find(long id) {
        return all().stream().filter(set -> set.id() == id).findFirst();
    }

    private static ViewSet set(Row row) {
        return new ViewSet(row.getLong("id"), row.getString("keyspace_name"), row.getString("logic_version"),
                RuleSettings.parse(row.getString("rules")), row.getInstant("created_at"), Optional.ofNullable(row.getInstant("switched_at")));
    }
}
