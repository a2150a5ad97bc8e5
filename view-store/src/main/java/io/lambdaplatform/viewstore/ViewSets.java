package io.lambdaplatform.viewstore;

import io.lambdaplatform.model.RuleSettings;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The sets of stream-built views of a Kappa-mode platform and the one pointer row readers follow. Readers read the
 * pointer and then only the set it names, so an answer never mixes two sets; the pointer moves by compare-and-set.
 */
public interface ViewSets {

    /** The set readers use; empty before the speed layer first ran in Kappa mode ({@link #initial}). */
    Optional<ViewSet> current();

    /** The set readers used before the last switch, if it is still kept. */
    Optional<ViewSet> previous();

    /**
     * The current set, after making set 0 (the platform's keyspace) current with this logic if no set is: the speed
     * layer's first start in Kappa mode. Safe to call from several instances at once.
     */
    ViewSet initial(String logicVersion, RuleSettings rules, Instant now);

    /** A new set after every existing one, never switched to; its keyspace is not created here. */
    ViewSet begin(String logicVersion, RuleSettings rules, Instant now);

    /** The newest set that was begun after the current one and never switched to: a replay to resume. */
    Optional<ViewSet> pending();

    /** Every set, kept or dropped, newest first. */
    List<ViewSet> all();

    /**
     * Moves readers to {@code target} if the pointer shows {@code expectedCurrent}; the set left becomes the previous
     * one (for {@link #previous()} and a rollback).
     *
     * @return the set readers now use
     * @throws ViewSetMovedException when the pointer shows another set (another replay or rollback moved it)
     */
    ViewSet switchTo(ViewSet target, long expectedCurrent, Instant now);

    /** Forgets a set that is neither current nor previous (its keyspace is dropped by {@link #drop} in Cassandra). */
    void drop(ViewSet set);
}
