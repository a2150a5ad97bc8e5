package io.lambdaplatform.speed;

import io.lambdaplatform.model.RejectionReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * The speed layer's own meters. In Prometheus form: {@code speed_records_processed_total},
 * {@code speed_events_applied_total}, {@code speed_duplicates_dropped_total},
 * {@code speed_dead_letters_total{reason=...}}, {@code speed_cassandra_write_seconds},
 * {@code speed_cassandra_write_retries_total}, {@code speed_ingest_time_regressions_total},
 * {@code speed_copies_retracted_total}, {@code speed_holes_total}, {@code speed_hole_records_total},
 * {@code speed_aggregate_overflows_total}.
 */
public final class SpeedMetrics {

    /**
     * Kafka Streams gives a RocksDB store's metrics the same names for a key-value store and a window store, but tags
     * the store {@code rocksdb-state-id} in one and {@code rocksdb-window-state-id} in the other. Prometheus refuses a
     * second set of tag keys under a name, so the first store type registered won and the other's meters (those of
     * {@code speed-counted-copies} or of the key-value stores) were dropped, with one warning. Every store is tagged
     * {@code rocksdb.state.id} (its name) instead: the names tell the stores apart.
     */
    public static final MeterFilter STORE_TAGS = MeterFilter.renameTag("kafka.stream.state", "rocksdb.window.state.id", "rocksdb.state.id");

    private final MeterRegistry registry;
    private final Counter processed;
    private final Counter applied;
    private final Counter duplicates;
    private final Map<RejectionReason, Counter> deadLetters = new EnumMap<>(RejectionReason.class);
    private final Timer cassandraWrites;
    private final Counter cassandraRetries;
    private final Counter ingestRegressions;
    private final Counter retractions;
    private final Counter holes;
    private final Counter holeRecords;
    private final Counter overflows;

    public SpeedMetrics(MeterRegistry registry) {
        this.registry = requireNonNull(registry, "registry is null");
        this.processed = Counter.builder("speed.records.processed")
                .description("Records read from the events topic, valid or not").register(registry);
        this.applied = Counter.builder("speed.events.applied")
                .description("Valid first copies of events added to the speed views").register(registry);
        this.duplicates = Counter.builder("speed.duplicates.dropped")
                .description("Valid events dropped as a later copy within the de-duplication horizon").register(registry);
        for (RejectionReason reason : RejectionReason.values()) {
            deadLetters.put(reason, Counter.builder("speed.dead.letters").tag("reason", reason.code())
                    .description("Invalid records sent to the dead-letter topic").register(registry));
        }
        this.cassandraWrites = Timer.builder("speed.cassandra.write")
                .description("Latency of speed-view writes to Cassandra, per attempt").register(registry);
        this.cassandraRetries = Counter.builder("speed.cassandra.write.retries")
                .description("Cassandra writes that failed and were retried").register(registry);
        this.ingestRegressions = Counter.builder("speed.ingest.time.regressions")
                .description("Records whose LogAppendTime is before an earlier record's of the partition (broker clock stepped back); "
                        + "they take the partition's running maximum as ingest time").register(registry);
        this.retractions = Counter.builder("speed.copies.retracted")
                .description("Counted copies of events taken back because an earlier copy arrived from another partition").register(registry);
        this.holes = Counter.builder("speed.holes")
                .description("Jumps over records deleted from the log before the speed layer read them").register(registry);
        this.holeRecords = Counter.builder("speed.hole.records")
                .description("Offsets deleted from the log before the speed layer read them").register(registry);
        this.overflows = Counter.builder("speed.aggregate.overflows")
                .description("Events left out of the speed rows because their aggregate would overflow").register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    public void recordProcessed() {
        processed.increment();
    }

    public void eventApplied() {
        applied.increment();
    }

    public void duplicateDropped() {
        duplicates.increment();
    }

    public void deadLettered(RejectionReason reason) {
        deadLetters.get(reason).increment();
    }

    public void cassandraWrite(long nanos) {
        cassandraWrites.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void cassandraRetries(int writes) {
        cassandraRetries.increment(writes);
    }

    public void ingestRegression() {
        ingestRegressions.increment();
    }

    public void copyRetracted() {
        retractions.increment();
    }

    public void hole(long records) {
        holes.increment();
        holeRecords.increment(records);
    }

    public void aggregateOverflow() {
        overflows.increment();
    }
}
