package io.lambdaplatform.viewstore;

import io.lambdaplatform.model.RuleSettings;
import io.lambdaplatform.model.config.KeyspaceName;

import java.time.Instant;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A set of stream-built views in Kappa mode: the speed layer's rows, progress and holes in a keyspace of their own,
 * built by one logic from the start of the log. Set 0 is the platform's keyspace; a replay builds set {@code n} in
 * {@code <keyspace>_v<n>} beside it, and readers move to it with one compare-and-set ({@link ViewSets#switchTo}).
 *
 * @param id           0 for the platform's keyspace, then 1, 2, … in the order replays began
 * @param keyspace     where its views are
 * @param logicVersion the logic that builds it ({@link io.lambdaplatform.model.ViewDefinition#logicVersion})
 * @param rules        the configured rules that logic applies, so that every process building the set applies the same
 * @param createdAt    when the set was begun
 * @param switchedAt   when readers were last switched to it; empty while a replay builds it
 */
public record ViewSet(long id, String keyspace, String logicVersion, RuleSettings rules, Instant createdAt, Optional<Instant> switchedAt) {

    public ViewSet {
        if (id < 0) {
            throw new IllegalArgumentException("A view set id is never negative: " + id);
        }
        KeyspaceName.requireValid(keyspace, "view set keyspace");
        requireNonNull(logicVersion, "logicVersion is null");
        requireNonNull(rules, "rules is null");
        requireNonNull(createdAt, "createdAt is null");
        requireNonNull(switchedAt, "switchedAt is null");
    }

    /** Where set {@code id} of a platform whose keyspace is {@code base} keeps its views. */
    public static String keyspaceOf(String base, long id) {
        return id == 0 ? base : base + "_v" + id;
    }

    /** The Kafka Streams application id (and so consumer group and internal topics) that builds set {@code id}. */
    public static String applicationIdOf(String base, long id) {
        return id == 0 ? base : base + "-v" + id;
    }

    /** The dead-letter topic of the records set {@code id}'s logic rejects; set 0 uses the platform's. */
    public static String deadLetterTopicOf(String base, long id) {
        return id == 0 ? base : base + ".v" + id;
    }

    /**
     * The topic a replay into set {@code id} reads the master dataset from before the events topic {@code eventsTopic}
     * ({@link io.lambdaplatform.model.ReplayFeed}); the replay deletes it once it has read it.
     */
    public static String replayFeedTopicOf(String eventsTopic, long id) {
        return eventsTopic + ".replay-feed.v" + id;
    }

    public ViewSet switched(Instant at) {
        return new ViewSet(id, keyspace, logicVersion, rules, createdAt, Optional.of(at));
    }
}
