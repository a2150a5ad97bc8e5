package io.lambdaplatform.speed.internal;

import io.lambdaplatform.model.Metrics;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

import java.time.Duration;

/** The speed layer's changelogged state stores, which exactly-once rolls back together with the input offsets. */
public final class SpeedStores {

    /** Event identity → ingest time of its first copy, kept for the de-duplication horizon (older segments are dropped). */
    public static final String SEEN_EVENTS = "speed-seen-events";
    /** (ingest bucket, product, 5-minute window) → aggregate; finished buckets are evicted once written. */
    public static final String AGGREGATES = "speed-aggregates";
    /** Rejection reason code → total dead letters of the task's partition. */
    public static final String DEAD_LETTERS = "speed-dead-letters";

    private SpeedStores() {}

    public static StoreBuilder<WindowStore<String, Long>> seenEvents(Duration horizon) {
        return Stores.windowStoreBuilder(
                        Stores.persistentWindowStore(SEEN_EVENTS, horizon, Duration.ofMillis(1), false),
                        Serdes.String(), Serdes.Long())
                .withCachingDisabled();
    }

    public static StoreBuilder<KeyValueStore<AggregateKey, Metrics>> aggregates() {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(AGGREGATES), AggregateKey.serde(), MetricsSerde.serde())
                .withCachingDisabled();
    }

    public static StoreBuilder<KeyValueStore<String, Long>> deadLetters() {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(DEAD_LETTERS), Serdes.String(), Serdes.Long())
                .withCachingDisabled();
    }
}
