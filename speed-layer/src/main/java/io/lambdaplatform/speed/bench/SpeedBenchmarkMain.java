package io.lambdaplatform.speed.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.lambdaplatform.model.Event;
import io.lambdaplatform.model.EventCodec;
import io.lambdaplatform.model.cli.ConfigSourceOptions;
import io.lambdaplatform.model.cli.Entrypoint;
import io.lambdaplatform.speed.SpeedApp;
import io.lambdaplatform.speed.SpeedConfig;
import io.lambdaplatform.speed.SpeedTopology;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;

/**
 * How many events per second the speed layer sustains: pre-loads N events into a fresh topic, then
 * starts the speed layer on it (fresh application id, state directory and keyspace) and times it from
 * start until it has committed — and so written to Cassandra — every one of them.
 *
 * <pre>java -cp speed-layer-VERSION-all.jar io.lambdaplatform.speed.bench.SpeedBenchmarkMain --stack D --events 500000</pre>
 */
@Command(name = "speed-benchmark", mixinStandardHelpOptions = true,
        description = "Measures the speed layer's sustained events per second against a running stack.")
public final class SpeedBenchmarkMain implements Callable<Integer> {

    @Mixin
    private ConfigSourceOptions source;

    @Option(names = "--events", paramLabel = "N", defaultValue = "500000", description = "Events to pre-load (default: ${DEFAULT-VALUE}).")
    private int events;

    @Option(names = "--products", paramLabel = "N", defaultValue = "1000", description = "Distinct products (default: ${DEFAULT-VALUE}).")
    private int products;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed (default: ${DEFAULT-VALUE}).")
    private long seed;

    public static void main(String[] args) {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "speed-logback.xml");
        }
        Entrypoint.run(new SpeedBenchmarkMain(), args);
    }

    @Override
    public Integer call() throws Exception {
        String run = Long.toString(System.currentTimeMillis());
        String topic = "bench-events-" + run;
        Config loaded = source.load();
        Config config = ConfigFactory.empty()
                .withValue("lambda.kafka.events-topic", ConfigValueFactory.fromAnyRef(topic))
                .withValue("lambda.kafka.dead-letter-topic", ConfigValueFactory.fromAnyRef(topic + ".dlq"))
                .withValue("lambda.cassandra.keyspace", ConfigValueFactory.fromAnyRef("speed_bench"))
                .withValue("lambda.speed.application-id", ConfigValueFactory.fromAnyRef("speed-bench-" + run))
                .withValue("lambda.speed.http.port", ConfigValueFactory.fromAnyRef(0))
                .withFallback(loaded).resolve();
        Path stateDir = Files.createTempDirectory("speed-bench-state");
        SpeedConfig speed = SpeedConfig.from(config, source.stackDir()).withStateDir(stateDir);

        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, speed.kafka().bootstrapServers()))) {
            admin.createTopics(List.of(
                    new NewTopic(topic, 3, (short) 1).configs(Map.of("message.timestamp.type", "LogAppendTime")),
                    new NewTopic(topic + ".dlq", 3, (short) 1))).all().get();
            long loadStarted = System.nanoTime();
            preload(speed.kafka().bootstrapServers(), topic);
            double loadSeconds = (System.nanoTime() - loadStarted) / 1e9;
            System.out.printf("Pre-loaded %,d events into %s in %.1f s (%,.0f events/s)%n", events, topic, loadSeconds, events / loadSeconds);

            Map<TopicPartition, Long> ends = new HashMap<>();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int partition = 0; partition < 3; partition++) {
                latest.put(new TopicPartition(topic, partition), OffsetSpec.latest());
            }
            admin.listOffsets(latest).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));

            long started = System.nanoTime();
            try (SpeedApp app = SpeedApp.start(speed)) {
                while (!caughtUp(admin, speed.applicationId(), ends)) {
                    Thread.sleep(200);
                }
                // Every event is sent on to the product tasks; they have written it once the repartition topic is committed to its end.
                String byProduct = SpeedTopology.byProductTopic(speed.applicationId());
                while (!caughtUp(admin, speed.applicationId(), committedEnds(admin, byProduct))) {
                    Thread.sleep(200);
                }
                double seconds = (System.nanoTime() - started) / 1e9;
                System.out.printf("Speed layer applied and committed %,d events in %.1f s from start: %,.0f events/s "
                        + "(including start-up and the first rebalance)%n", events, seconds, events / seconds);
            }
        }
        return 0;
    }

    private void preload(String bootstrapServers, String topic) {
        Map<String, Object> settings = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4",
                ProducerConfig.ACKS_CONFIG, "all");
        Random random = new Random(seed);
        Instant base = Instant.now().minus(Duration.ofHours(2));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < events; i++) {
                String product = "bench-p" + random.nextInt(products);
                Event event = new Event("e" + i, product, null, BigDecimal.valueOf(random.nextInt(100_000) - 10_000, 2),
                        random.nextInt(60_000), base.plusMillis(random.nextInt(7_200_000)));
                producer.send(new ProducerRecord<>(topic, product.getBytes(StandardCharsets.UTF_8), EventCodec.encode(event)));
            }
            producer.flush();
        }
    }

    /** The read_committed end offsets of every partition of {@code topic}. */
    private static Map<TopicPartition, Long> committedEnds(Admin admin, String topic) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
                .forEach(partition -> latest.put(new TopicPartition(topic, partition.partition()), OffsetSpec.latest()));
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get()
                .forEach((tp, info) -> ends.put(tp, info.offset()));
        return ends;
    }

    private static boolean caughtUp(Admin admin, String group, Map<TopicPartition, Long> ends) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            OffsetAndMetadata position = committed.get(end.getKey());
            if (position == null || position.offset() < end.getValue()) {
                return false;
            }
        }
        return true;
    }
}
