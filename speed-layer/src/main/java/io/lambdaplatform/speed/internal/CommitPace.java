package io.lambdaplatform.speed.internal;

import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * How often a stream thread commits: every {@code interval} while its tasks process records ingested less than
 * {@code catchUpAfter} ago, and every {@code catchUpInterval} while they work through older ones (a backlog after a
 * restart, an outage or a burst).
 *
 * <p>Every commit waits for its Cassandra writes and ends a transaction, so it costs the same whether it covers
 * 1,000 events or 30,000. A fresh event waits for about two commits before it can be read, so commits must be
 * frequent to make it visible soon. Events ingested seconds ago are late already, and frequent commits only make the
 * backlog drain slower. {@code catchUpAfter} is well above the freshness a task keeps when it is not behind, so that a
 * slow commit or two does not slow the next ones.
 *
 * <p>Kafka Streams commits every {@link #streamsCommitInterval()}. Each task checks every {@code interval} whether its
 * last record was fresh, and asks Kafka Streams to commit early when it was. Kafka Streams then commits every task of
 * the thread.
 *
 * @param interval        between commits while records are fresh ({@code lambda.speed.commit-interval})
 * @param catchUpInterval between commits while a task catches up ({@code lambda.speed.catch-up-commit-interval}); equal
 *                        to {@code interval}: always {@code interval}
 * @param catchUpAfter    a task whose last record was ingested at least this long ago is catching up
 *                        ({@code lambda.speed.catch-up-after})
 */
public record CommitPace(Duration interval, Duration catchUpInterval, Duration catchUpAfter) {

    public CommitPace {
        requireNonNull(interval, "interval is null");
        requireNonNull(catchUpInterval, "catchUpInterval is null");
        requireNonNull(catchUpAfter, "catchUpAfter is null");
        if (catchUpInterval.compareTo(interval) < 0) {
            throw new IllegalArgumentException("The catch-up commit interval " + catchUpInterval + " is shorter than the commit interval "
                    + interval);
        }
        if (catchUpAfter.compareTo(catchUpInterval) < 0) {
            throw new IllegalArgumentException("A task catches up after " + catchUpAfter + ", less than the catch-up commit interval "
                    + catchUpInterval);
        }
    }

    /** Always every {@code interval}. */
    public static CommitPace every(Duration interval) {
        return new CommitPace(interval, interval, interval);
    }

    /** Kafka Streams' {@code commit.interval.ms}: the longest time between two commits. */
    public Duration streamsCommitInterval() {
        return catchUpInterval;
    }

    /**
     * Asks for a commit every {@code interval} of wall-clock time while {@code lastIngestTime} (the ingest time of the
     * task's last record, null before any) is less than {@code catchUpAfter} old. Kafka Streams commits only tasks that
     * processed something since their last commit.
     */
    public void schedule(ProcessorContext<?, ?> context, Supplier<Instant> lastIngestTime) {
        if (catchUpInterval.equals(interval)) {
            return;
        }
        context.schedule(interval, PunctuationType.WALL_CLOCK_TIME, now -> {
            Instant last = lastIngestTime.get();
            if (last != null && last.isAfter(Instant.ofEpochMilli(now).minus(catchUpAfter))) {
                context.commit();
            }
        });
    }
}
