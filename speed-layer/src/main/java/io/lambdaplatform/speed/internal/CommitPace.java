package io.lambdaplatform.speed.internal;

import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * How often a stream thread commits: every {@code interval} while its tasks process records ingested less than
 * {@code catchUpInterval} ago, and every {@code catchUpInterval} while they work through older ones (a backlog after a
 * restart, an outage or a burst).
 *
 * <p>Every commit waits for its Cassandra writes and ends a transaction, so it costs the same whether it covers
 * 1,000 events or 30,000. A fresh event waits for about two commits before it can be read, so commits must be
 * frequent to make it visible soon. An event ingested a second or more ago is already late, and frequent commits only
 * make the backlog drain slower.
 *
 * <p>Kafka Streams commits every {@link #streamsCommitInterval()}. Each task checks every {@code interval} whether its
 * last record was fresh, and asks Kafka Streams to commit early when it was. Kafka Streams then commits every task of
 * the thread.
 *
 * @param interval        between commits while records are fresh ({@code lambda.speed.commit-interval})
 * @param catchUpInterval between commits while the records processed were ingested at least this long ago
 *                        ({@code lambda.speed.catch-up-commit-interval}); equal to {@code interval}: always {@code interval}
 */
public record CommitPace(Duration interval, Duration catchUpInterval) {

    public CommitPace {
        requireNonNull(interval, "interval is null");
        requireNonNull(catchUpInterval, "catchUpInterval is null");
        if (catchUpInterval.compareTo(interval) < 0) {
            throw new IllegalArgumentException("The catch-up commit interval " + catchUpInterval + " is shorter than the commit interval "
                    + interval);
        }
    }

    /** Kafka Streams' {@code commit.interval.ms}: the longest time between two commits. */
    public Duration streamsCommitInterval() {
        return catchUpInterval;
    }

    /**
     * Asks for a commit every {@code interval} of wall-clock time while {@code lastIngestTime} (the ingest time of the
     * task's last record, null before any) is less than {@code catchUpInterval} old. Kafka Streams commits only tasks
     * that processed something since their last commit.
     */
    public void schedule(ProcessorContext<?, ?> context, Supplier<Instant> lastIngestTime) {
        if (catchUpInterval.equals(interval)) {
            return;
        }
        context.schedule(interval, PunctuationType.WALL_CLOCK_TIME, now -> {
            Instant last = lastIngestTime.get();
            if (last != null && last.isAfter(Instant.ofEpochMilli(now).minus(catchUpInterval))) {
                context.commit();
            }
        });
    }
}
