package io.lambdaplatform.viewstore;

import io.lambdaplatform.model.RuleSettings;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@link ViewSets} in memory, for tests and for stores that are in memory too: sets of a platform whose keyspace is
 * {@code base}, under the same rules as {@link CassandraViewSets}. Thread-safe.
 */
public final class InMemoryViewSets implements ViewSets {

    private static final long NONE = -1;

    private final String base;
    private final TreeMap<Long, ViewSet> sets = new TreeMap<>();
    private long current = NONE;
    private long previous = NONE;

    public InMemoryViewSets() {
        this("lambda");
    }

    public InMemoryViewSets(String base) {
        this.base = base;
    }

    @Override
    public synchronized Optional<ViewSet> current() {
        return Optional.ofNullable(sets.get(current));
    }

    @Override
    public synchronized Optional<ViewSet> previous() {
        return Optional.ofNullable(sets.get(previous));
    }

    @Override
    public synchronized ViewSet initial(String logicVersion, RuleSettings rules, Instant now) {
        sets.putIfAbsent(0L, new ViewSet(0, base, logicVersion, rules, now, Optional.of(now)));
        if (current == NONE) {
            current = 0;
        }
        return sets.get(current);
    }

    @Override
    public synchronized ViewSet begin(String logicVersion, RuleSettings rules, Instant now) {
        long next = sets.isEmpty() ? 1 : sets.lastKey() + 1;
        ViewSet set = new ViewSet(next, ViewSet.keyspaceOf(base, next), logicVersion, rules, now, Optional.empty());
        sets.put(next, set);
        return set;
    }

    @Override
    public synchronized Optional<ViewSet> pending() {
        return all().stream().filter(set -> set.id() > current && set.switchedAt().isEmpty()).findFirst();
    }

    @Override
    public synchronized List<ViewSet> all() {
        List<ViewSet> all = new ArrayList<>(sets.values());
        all.sort(Comparator.comparingLong(ViewSet::id).reversed());
        return all;
    }

    @Override
    public synchronized ViewSet switchTo(ViewSet target, long expectedCurrent, Instant now) {
        if (current != expectedCurrent) {
            throw new ViewSetMovedException("Cannot switch readers to view set " + target.id() + ": the pointer shows set " + current
                    + ", not " + expectedCurrent);
        }
        ViewSet switched = sets.get(target.id()).switched(now);
        sets.put(target.id(), switched);
        previous = current;
        current = target.id();
        return switched;
    }

    @Override
    public synchronized void drop(ViewSet set) {
        if (set.id() == 0 || set.id() == current || set.id() == previous) {
            throw new IllegalArgumentException("View set " + set.id() + " is the platform's own, current or previous: it is never dropped");
        }
        sets.remove(set.id());
    }
}
