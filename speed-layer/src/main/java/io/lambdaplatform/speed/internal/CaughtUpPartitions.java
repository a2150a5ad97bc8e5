package io.lambdaplatform.speed.internal;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import static java.util.Objects.requireNonNull;

/**
 * Which partitions of the events topic were seen fully consumed and committed, and when: the idle check
 * records it, the source tasks turn it into progress markers. Thread-safe.
 */
public final class CaughtUpPartitions {

    /**
     * At {@code since} (observation time less the allowed clock skew) every record of the partition had been
     * processed and committed, and any later record has an ingest time of at least {@code since}.
     *
     * @param wholeLog the partition's log still started at offset 0: nothing was ever deleted from it
     */
    public record CaughtUp(Instant since, boolean wholeLog) {
        public CaughtUp {
            requireNonNull(since, "since is null");
        }
    }

    private final Map<Integer, CaughtUp> partitions = new ConcurrentHashMap<>();

    public void caughtUp(int partition, Instant since, boolean wholeLog) {
        partitions.merge(partition, new CaughtUp(since, wholeLog),
                (known, seen) -> seen.since().isAfter(known.since()) ? seen : known);
    }

    public Optional<CaughtUp> of(int partition) {
        return Optional.ofNullable(partitions.get(partition));
    }
}
