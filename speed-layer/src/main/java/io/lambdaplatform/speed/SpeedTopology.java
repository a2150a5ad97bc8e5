package io.lambdaplatform.speed;

import io.lambdaplatform.speed.internal.DeadLetterProductionHandler;
import io.lambdaplatform.speed.internal.DeltaWriter;
import io.lambdaplatform.speed.internal.EventProcessor;
import io.lambdaplatform.speed.internal.LoggingDeserializationHandler;
import io.lambdaplatform.speed.internal.PendingWrites;
import io.lambdaplatform.speed.internal.PendingWritesBuilder;
import io.lambdaplatform.speed.internal.SpeedStores;
import io.lambdaplatform.viewstore.SpeedViews;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;

import java.util.Properties;

/**
 * The speed layer's Kafka Streams topology, a function of its configuration:
 * {@code events} → {@link EventProcessor} (validate, dead-letter, de-duplicate, aggregate per ingest
 * bucket, product and 5-minute window) → Cassandra through {@link PendingWrites} before every commit;
 * invalid records → the dead-letter topic.
 */
public final class SpeedTopology {

    public static final String SOURCE = "events";
    public static final String PROCESSOR = "speed-events";
    public static final String DEAD_LETTER_SINK = "dead-letters";

    /** How long a transaction may stay open; a commit waits for Cassandra, so this bounds an outage without a rebalance. */
    static final int TRANSACTION_TIMEOUT_MS = 300_000;
    static final int MAX_POLL_INTERVAL_MS = 600_000;

    private SpeedTopology() {}

    public static Topology build(SpeedConfig config, SpeedViews views, SpeedWatermarks watermarks, SpeedMetrics metrics) {
        DeltaWriter writer = new DeltaWriter(metrics, config.maxWritesInFlight(), config.retryBackoff(), config.maxRetryBackoff());
        Topology topology = new Topology();
        topology.addSource(SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), config.eventsTopic());
        topology.addProcessor(PROCESSOR,
                () -> new EventProcessor(DEAD_LETTER_SINK, config.ingestBuckets(), config.dedupHorizon(), config.evictionGrace(),
                        config.deadLetterMaxBytes(), metrics),
                SOURCE);
        topology.addStateStore(SpeedStores.seenEvents(config.dedupHorizon()), PROCESSOR);
        topology.addStateStore(SpeedStores.aggregates(), PROCESSOR);
        topology.addStateStore(SpeedStores.deadLetters(), PROCESSOR);
        topology.addStateStore(new PendingWritesBuilder(views, writer, watermarks), PROCESSOR);
        topology.addSink(DEAD_LETTER_SINK, config.deadLetterTopic(), new ByteArraySerializer(), new ByteArraySerializer(), PROCESSOR);
        return topology;
    }

    /** The Kafka Streams properties: exactly-once v2, byte-array serdes, the error handlers, then the pass-through overrides. */
    public static Properties streamsProperties(SpeedConfig config) {
        Properties properties = new Properties();
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        properties.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        properties.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toAbsolutePath().toString());
        properties.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.streamThreads());
        properties.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.commitInterval().toMillis());
        properties.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, config.internalReplicationFactor());
        properties.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0L);
        properties.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
        properties.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
        properties.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LoggingDeserializationHandler.class);
        properties.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProductionHandler.class);
        properties.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), TRANSACTION_TIMEOUT_MS);
        properties.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG), MAX_POLL_INTERVAL_MS);
        properties.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        properties.putAll(config.streamsOverrides());
        return properties;
    }
}
