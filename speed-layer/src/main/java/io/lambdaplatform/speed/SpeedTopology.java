package io.lambdaplatform.speed;

import io.lambdaplatform.speed.internal.ByProductPartitioner;
import io.lambdaplatform.speed.internal.CaughtUpPartitions;
import io.lambdaplatform.speed.internal.DeadLetterProductionHandler;
import io.lambdaplatform.speed.internal.DeltaWriter;
import io.lambdaplatform.speed.internal.LoggingDeserializationHandler;
import io.lambdaplatform.speed.internal.PendingWrites;
import io.lambdaplatform.speed.internal.PendingWritesBuilder;
import io.lambdaplatform.speed.internal.ProductProcessor;
import io.lambdaplatform.speed.internal.SourceLog;
import io.lambdaplatform.speed.internal.SourceProcessor;
import io.lambdaplatform.speed.internal.SpeedStores;
import io.lambdaplatform.viewstore.SpeedViews;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * The speed layer's Kafka Streams topology, a function of its configuration. Two sub-topologies joined by
 * one repartition topic keyed by product:
 * <ol>
 * <li>{@code events} → {@link SourceProcessor} (one task per events partition: validate, dead-letter,
 *     ingest time as the partition's running maximum of LogAppendTime, holes, progress markers) →
 *     the dead-letter topic, and the repartition topic {@value #BY_PRODUCT} (events by product, markers to
 *     every partition);</li>
 * <li>{@value #BY_PRODUCT} → {@link ProductProcessor} (one task per repartition partition: first copy
 *     wins, aggregate per source partition, ingest bucket, product and 5-minute window) → Cassandra through
 *     {@link PendingWrites} before every commit.</li>
 * </ol>
 * Wherever a producer placed a product's records, all of them meet in one product task.
 */
public final class SpeedTopology {

    public static final String SOURCE = "events";
    public static final String SOURCE_PROCESSOR = "speed-source";
    public static final String DEAD_LETTER_SINK = "dead-letters";
    /** The repartition topic is {@code <application id>-speed-by-product-repartition}. */
    public static final String BY_PRODUCT = "speed-by-product";
    /** The first node of the repartition Kafka Streams names after {@link #BY_PRODUCT} (a filter of null keys, then the sink). */
    static final String BY_PRODUCT_SINK = BY_PRODUCT + "-repartition-filter";
    public static final String PRODUCT_PROCESSOR = "speed-products";

    /** How long a transaction may stay open; a commit waits for Cassandra, so this bounds an outage without a rebalance. */
    static final int TRANSACTION_TIMEOUT_MS = 300_000;
    static final int MAX_POLL_INTERVAL_MS = 600_000;
    /** How soon the main consumer sees partitions added to the events topic: Kafka's default is 5 minutes. */
    static final int MAIN_CONSUMER_METADATA_MAX_AGE_MS = 30_000;
    /** The record cache of the stores that coalesce updates between commits ({@link SpeedStores}), shared by a thread's tasks. */
    static final long STATE_CACHE_BYTES = 32L * 1024 * 1024;

    private SpeedTopology() {}

    /** The repartition topic of an application. */
    public static String byProductTopic(String applicationId) {
        return applicationId + "-" + BY_PRODUCT + "-repartition";
    }

    public static Topology build(SpeedConfig config, SpeedViews views, SpeedMetrics metrics, SourceLog log, CaughtUpPartitions caughtUp) {
        return build(config, views, metrics, log, caughtUp, Optional.empty());
    }

    /**
     * The topology, reading {@code feed} (a replay feed of the master dataset, {@link io.lambdaplatform.model.ReplayFeed})
     * instead of the events topic when given: the same processors, stores and internal topics, so that the application
     * goes on with the events topic where the feed ended.
     */
    public static Topology build(SpeedConfig config, SpeedViews views, SpeedMetrics metrics, SourceLog log, CaughtUpPartitions caughtUp,
            Optional<String> feed) {
        DeltaWriter writer = new DeltaWriter(metrics, config.maxWritesInFlight(), config.retryBackoff(), config.maxRetryBackoff());
        Clock clock = Clock.systemUTC();
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(SpeedStores.sourcePositions());
        builder.addStateStore(SpeedStores.deadLetters());
        builder.addStateStore(new PendingWritesBuilder(PendingWrites.SOURCE_NAME,
                () -> new PendingWrites(PendingWrites.SOURCE_NAME, views, writer, log::productTasks, log::sourcePartitions,
                        config.retention(), config.progressInterval(), clock)));
        builder.addStateStore(SpeedStores.countedCopies(config.dedupHorizon()));
        builder.addStateStore(SpeedStores.aggregates());
        builder.addStateStore(SpeedStores.sourceIngest());
        builder.addStateStore(new PendingWritesBuilder(PendingWrites.PRODUCT_NAME,
                () -> new PendingWrites(PendingWrites.PRODUCT_NAME, views, writer, log::productTasks, log::sourcePartitions,
                        config.retention(), config.progressInterval(), clock)));

        KStream<byte[], byte[]> judged = builder
                .stream(feed.orElse(config.kafka().eventsTopic()), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(SOURCE))
                .process(() -> new SourceProcessor(BY_PRODUCT_SINK, DEAD_LETTER_SINK, config.commitPace(), config.deadLetterMaxBytes(),
                                log, caughtUp, metrics, config.rules(), config.kafka().eventsTopic(), feed.isPresent()),
                        Named.as(SOURCE_PROCESSOR), SpeedStores.SOURCE_POSITIONS, SpeedStores.DEAD_LETTERS, PendingWrites.SOURCE_NAME);
        judged.to(config.kafka().deadLetterTopic(), Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(DEAD_LETTER_SINK));
        Repartitioned<byte[], byte[]> byProduct = Repartitioned.<byte[], byte[]>as(BY_PRODUCT)
                .withKeySerde(Serdes.ByteArray())
                .withValueSerde(Serdes.ByteArray())
                .withStreamPartitioner(new ByProductPartitioner());
        if (config.productTasks() > 0) {
            byProduct = byProduct.withNumberOfPartitions(config.productTasks());
        }
        judged.repartition(byProduct)
                .process(() -> new ProductProcessor(config.ingestBuckets(), config.dedupHorizon(), config.evictionGrace(), config.commitPace(),
                                metrics),
                        Named.as(PRODUCT_PROCESSOR), SpeedStores.COUNTED_COPIES, SpeedStores.AGGREGATES, SpeedStores.SOURCE_INGEST,
                        PendingWrites.PRODUCT_NAME);
        return builder.build();
    }

    /**
     * The changelog topics of the stores of the sub-topology that reads {@code sourceTopic}: Kafka Streams gives them a
     * partition per source partition and refuses to go on when the source topic has more. Some stores have none (they are
     * not logged), so a name here may not exist as a topic.
     */
    public static List<String> sourceChangelogs(Topology topology, String applicationId, String sourceTopic) {
        List<String> changelogs = new ArrayList<>();
        for (TopologyDescription.Subtopology subtopology : topology.describe().subtopologies()) {
            boolean readsSource = subtopology.nodes().stream()
                    .anyMatch(node -> node instanceof TopologyDescription.Source source && source.topicSet().contains(sourceTopic));
            if (readsSource) {
                subtopology.nodes().stream()
                        .filter(node -> node instanceof TopologyDescription.Processor)
                        .flatMap(node -> ((TopologyDescription.Processor) node).stores().stream())
                        .distinct()
                        .forEach(store -> changelogs.add(applicationId + "-" + store + "-changelog"));
            }
        }
        return List.copyOf(changelogs);
    }

    /** The Kafka Streams properties: the Kafka address and security settings, exactly-once v2, byte-array serdes, the error handlers, then the pass-through overrides. */
    public static Properties streamsProperties(SpeedConfig config) {
        Properties properties = new Properties();
        // bootstrap.servers and any security settings, for every client Kafka Streams creates
        properties.putAll(config.kafka().clientProperties());
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        properties.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        properties.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toAbsolutePath().toString());
        properties.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.streamThreads());
        properties.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, config.standbyReplicas());
        properties.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.commitPace().streamsCommitInterval().toMillis());
        properties.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, config.internalReplicationFactor());
        properties.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, STATE_CACHE_BYTES);
        properties.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
        properties.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
        properties.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LoggingDeserializationHandler.class);
        properties.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProductionHandler.class);
        properties.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), TRANSACTION_TIMEOUT_MS);
        // Every event crosses the brokers twice more (the repartition topic, the de-duplication store's changelog): lz4
        // batches cost the brokers a fraction of the bytes, and the events/s rose by 40 % (docs/speed-layer.md, "Compression").
        properties.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "lz4");
        properties.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG), MAX_POLL_INTERVAL_MS);
        properties.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        // Partitions added to the events topic get their source tasks at the rebalance the next metadata refresh starts;
        // until then the product tasks report them as not heard from, so answers say incomplete (5 min by default).
        properties.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.METADATA_MAX_AGE_CONFIG), MAIN_CONSUMER_METADATA_MAX_AGE_MS);
        properties.putAll(config.streamsOverrides());
        return properties;
    }
}
