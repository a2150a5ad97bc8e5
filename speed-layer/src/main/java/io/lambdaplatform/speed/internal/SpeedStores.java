package io.lambdaplatform.speed.internal;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

import java.time.Duration;

/**
 * The speed layer's changelogged state stores, which exactly-once rolls back together with the input offsets.
 *
 * <p>The stores whose keys are updated by many records between two commits (the source position and the
 * source ingest time, one key per partition) go through Kafka Streams' record cache: a key updated a thousand
 * times in a commit interval is written to RocksDB and its changelog once, when the cache is flushed before the
 * commit. The commit still covers exactly what was processed, so exactly-once is unchanged, and the stored bytes
 * are the same. The aggregates (one key per row) are kept open in the product task between commits and put once
 * before the commit ({@code ProductProcessor}), which does what the cache did without serializing every update
 * and without the cache's sorted tree of keys. The counted copies are keyed by event identity, each written
 * once, so a cache would only copy them.
 */
public final class SpeedStores {

    /** Source task: partition → last offset read, running maximum of LogAppendTime, coverage start. */
    public static final String SOURCE_POSITIONS = "speed-source-positions";
    /** Source task: rejection reason code → total dead letters of the task's partition. */
    public static final String DEAD_LETTERS = "speed-dead-letters";
    /** Product task: event identity → the copy counted, stored under its ingest time, kept for twice the de-duplication horizon. */
    public static final String COUNTED_COPIES = "speed-counted-copies";
    /** Product task: (source partition, ingest bucket, product, 5-minute window) → aggregate; finished buckets are evicted once written. */
    public static final String AGGREGATES = "speed-aggregates";
    /** Product task: source partition → the highest ingest time seen from it (events and markers). */
    public static final String SOURCE_INGEST = "speed-source-ingest";

    private SpeedStores() {}

    public static StoreBuilder<KeyValueStore<Integer, SourcePosition>> sourcePositions() {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SOURCE_POSITIONS), Serdes.Integer(), SourcePosition.serde())
                .withCachingEnabled();
    }

    public static StoreBuilder<KeyValueStore<String, Long>> deadLetters() {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(DEAD_LETTERS), Serdes.String(), Serdes.Long())
                .withCachingDisabled();
    }

    /**
     * Copies from different source partitions interleave, so a copy is looked up a horizon either side of
     * its ingest time, and the store keeps twice the horizon behind the newest ingest time it saw.
     */
    public static StoreBuilder<WindowStore<String, CountedCopy>> countedCopies(Duration horizon) {
        return Stores.windowStoreBuilder(
                        Stores.persistentWindowStore(COUNTED_COPIES, horizon.multipliedBy(2), Duration.ofMillis(1), false),
                        Serdes.String(), CountedCopy.serde())
                .withCachingDisabled();
    }

    public static StoreBuilder<KeyValueStore<AggregateKey, SourceAggregate>> aggregates() {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(AGGREGATES), AggregateKey.serde(), SourceAggregate.serde())
                .withCachingDisabled();
    }

    public static StoreBuilder<KeyValueStore<Integer, Long>> sourceIngest() {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SOURCE_INGEST), Serdes.Integer(), Serdes.Long())
                .withCachingEnabled();
    }
}
