package io.lambdaplatform.speed.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.lambdaplatform.generator.EventGenerator;
import io.lambdaplatform.generator.GeneratedRecord;
import io.lambdaplatform.generator.GeneratorSettings;
import io.lambdaplatform.model.Event;
import io.lambdaplatform.model.EventCodec;
import io.lambdaplatform.model.cli.ConfigSourceOptions;
import io.lambdaplatform.model.cli.Entrypoint;
import io.lambdaplatform.model.config.KafkaSettings;
import io.lambdaplatform.speed.SpeedApp;
import io.lambdaplatform.speed.SpeedConfig;
import io.lambdaplatform.speed.SpeedTopology;
import io.lambdaplatform.viewstore.CassandraSpeedViews;
import io.lambdaplatform.viewstore.SpeedViews;
import org.apache.kafka.clients.admin.Admin;
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
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * How many events per second the speed layer sustains, against what a bare consumer reads from the same
 * topic, and how fresh its answers are. One run, on a running stack:
 * <ol>
 * <li>pre-loads W + N events into a fresh topic (3 partitions, LogAppendTime, the brokers' default replication factor):
 *     the first W ({@code --warm-up-events}) warm the JIT up, the rates are of the N after them;</li>
 * <li>the baseline: a plain read_committed consumer reads and judges them with {@code EventCodec}
 *     ({@link BareConsumer});</li>
 * <li>starts the speed layer on the topic ({@code --instances} of it in one group, each with its own state directory;
 *     fresh application id, keyspace {@value #KEYSPACE}) and times it until it has committed, and so written to
 *     Cassandra, every event;</li>
 * <li>with the speed layer still running, starts a serving layer on the same keyspace ({@code ./lambda serve},
 *     or takes {@code --serve-url}) and measures event produced → visible in {@code /v1/metrics}, and produced → in
 *     Cassandra's speed rows, while events stream in at {@code --rate} ({@link FreshnessProbe}).</li>
 * </ol>
 * The last line is machine-readable:
 * {@code speed-bench: events=N events_per_s=… bare_consumer_per_s=… ratio=… freshness_p50_ms=… freshness_p99_ms=… stored_p50_ms=… stored_p99_ms=…
 * cold_events_per_s=… traffic=…}, where {@code cold_events_per_s} is the speed layer's rate over all W + N events from its first
 * commit, the JIT warming up included.
 *
 * <pre>./lambda bench speed [--stack D] [--events 500000] [--warm-up-events 500000] [--traffic generated|uniform]</pre>
 */
@Command(name = "speed-benchmark", mixinStandardHelpOptions = true,
        description = "Measures the speed layer's events per second against a bare consumer, and its freshness, on a running stack.")
public final class SpeedBenchmarkMain implements Callable<Integer> {

    static final String KEYSPACE = "speed_bench";
    private static final int PARTITIONS = 3;
    private static final Duration PROBE_INTERVAL = Duration.ofMillis(100);

    @Mixin
    private ConfigSourceOptions source;

    @Option(names = "--events", paramLabel = "N", defaultValue = "500000",
            description = "Events to measure the rates over, after the warm-up events (default: ${DEFAULT-VALUE}).")
    private int events;

    @Option(names = "--warm-up-events", paramLabel = "W", defaultValue = "500000",
            description = "Events pre-loaded before the measured ones, processed first while the JIT compiles the hot code, and not "
                    + "in the rates (default: ${DEFAULT-VALUE}; 0: the rates from the start).")
    private int warmUpEvents;

    @Option(names = "--products", paramLabel = "N", defaultValue = "1000", description = "Distinct products (default: ${DEFAULT-VALUE}).")
    private int products;

    /** What the pre-loaded events look like. */
    enum Traffic {
        /**
         * What {@code ./lambda generate} sends: event times up to a minute old, 5 % of them hours to days late; products
         * by a Zipf law; a user per event; 2 % copies of earlier events and 1 % invalid records.
         */
        GENERATED,
        /** The earlier releases' benchmark: products and event times uniform over 2 hours, no users, no copies, all valid. */
        UNIFORM
    }

    @Option(names = "--traffic", paramLabel = "T", defaultValue = "generated",
            description = "generated: what ./lambda generate sends (late events, copies, invalid records, users, popular products); uniform: "
                    + "the earlier releases' events, products and event times uniform over 2 hours, every row a write of its own "
                    + "(default: ${DEFAULT-VALUE}).")
    private String traffic;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed (default: ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--instances", paramLabel = "N", defaultValue = "1",
            description = "Speed-layer instances in one group, in this JVM (default: ${DEFAULT-VALUE}; at most the topic's " + PARTITIONS
                    + " partitions do work).")
    private int instances;

    @Option(names = "--rate", paramLabel = "R", defaultValue = "5000",
            description = "Events per second streamed in while freshness is measured (default: ${DEFAULT-VALUE}).")
    private int rate;

    @Option(names = "--freshness-duration", paramLabel = "D", defaultValue = "30s", converter = DurationConverter.class,
            description = "How long events stream in while freshness is measured (default: ${DEFAULT-VALUE}).")
    private Duration freshnessDuration;

    @Option(names = "--freshness-warm-up", paramLabel = "D", defaultValue = "30s", converter = DurationConverter.class,
            description = "How long events stream in at --rate before the first probe: the speed layer has just drained the "
                    + "pre-loaded events and the serving layer has just started (default: ${DEFAULT-VALUE}; 0s: probe from the start).")
    private Duration freshnessWarmUp;

    @Option(names = "--serve-url", paramLabel = "URL",
            description = "A running serving layer on keyspace " + KEYSPACE + "; by default one is started with --lambda-script.")
    private URI serveUrl;

    @Option(names = "--lambda-script", paramLabel = "PATH", description = "The ./lambda script that starts the serving layer.")
    private Path lambdaScript;

    public static void main(String[] args) {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "speed-logback.xml");
        }
        Entrypoint.run(new SpeedBenchmarkMain(), args);
    }

    @Override
    public Integer call() throws Exception {
        if (serveUrl == null && lambdaScript == null) {
            throw new IllegalArgumentException("Give --serve-url or --lambda-script: freshness is measured through a serving layer's HTTP API");
        }
        if (instances < 1) {
            throw new IllegalArgumentException("--instances must be at least 1: " + instances);
        }
        String run = Long.toString(System.currentTimeMillis());
        String topic = "bench-events-" + run;
        Config loaded = source.load();
        Config config = ConfigFactory.empty()
                .withValue("lambda.kafka.events-topic", ConfigValueFactory.fromAnyRef(topic))
                .withValue("lambda.kafka.dead-letter-topic", ConfigValueFactory.fromAnyRef(topic + ".dlq"))
                .withValue("lambda.cassandra.keyspace", ConfigValueFactory.fromAnyRef(KEYSPACE))
                .withValue("lambda.speed.application-id", ConfigValueFactory.fromAnyRef("speed-bench-" + run))
                .withValue("lambda.speed.http.port", ConfigValueFactory.fromAnyRef(0))
                .withFallback(loaded).resolve();
        Path work = Files.createTempDirectory("speed-bench");
        SpeedConfig speed = SpeedConfig.from(config, source.stackDir());
        KafkaSettings kafka = speed.kafka();
        if (warmUpEvents < 0) {
            throw new IllegalArgumentException("--warm-up-events must not be negative: " + warmUpEvents);
        }
        int total = warmUpEvents + events;
        Traffic kind = switch (traffic) {
            case "generated" -> Traffic.GENERATED;
            case "uniform" -> Traffic.UNIFORM;
            default -> throw new IllegalArgumentException("--traffic must be generated or uniform: " + traffic);
        };
        System.out.printf("Speed benchmark: %,d events after %,d to warm up, %s traffic, %,d products, commit interval %s, %d instance(s) of %d "
                + "stream thread(s)%n", events, warmUpEvents, traffic, products, speed.commitInterval(), instances, speed.streamThreads());

        try (Admin admin = Admin.create(kafka.clientProperties())) {
            admin.createTopics(List.of(
                    new NewTopic(topic, Optional.of(PARTITIONS), Optional.empty()).configs(Map.of("message.timestamp.type", "LogAppendTime")),
                    new NewTopic(topic + ".dlq", Optional.of(PARTITIONS), Optional.empty()))).all().get();
            long loadStarted = System.nanoTime();
            long valid = preload(kafka, topic, total, kind);
            double loadSeconds = (System.nanoTime() - loadStarted) / 1e9;
            System.out.printf("Pre-loaded %,d events into %s in %.1f s (%,.0f events/s)%n", total, topic, loadSeconds, total / loadSeconds);

            Map<TopicPartition, Long> ends = new HashMap<>();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int partition = 0; partition < PARTITIONS; partition++) {
                latest.put(new TopicPartition(topic, partition), OffsetSpec.latest());
            }
            admin.listOffsets(latest).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));

            long bareCpu = processCpuNanos();
            BareConsumer.Result bare = new BareConsumer(kafka).read(ends, warmUpEvents);
            bareCpu = processCpuNanos() - bareCpu;
            if (bare.valid() != valid) {
                throw new IllegalStateException("The bare consumer judged " + bare.valid() + " of " + bare.records() + " records valid, not " + valid);
            }
            System.out.printf("Bare consumer (read_committed, EventCodec) read and judged %,d events in %.2f s: %,.0f events/s, "
                            + "%.1f µs CPU per event; %,.0f events/s after the first %,d%n",
                    bare.records(), bare.elapsed().toNanos() / 1e9, bare.recordsPerSecond(), bareCpu / 1e3 / total,
                    bare.warmRecordsPerSecond(), bare.warmUpRecords());

            long started = System.nanoTime();
            long speedCpu = processCpuNanos();
            long compileMillis = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
            List<SpeedApp> apps = new ArrayList<>();
            String summary;
            try (AutoCloseable stopAll = () -> closeAll(apps)) {
                for (int instance = 0; instance < instances; instance++) {
                    apps.add(SpeedApp.start(speed.withStateDir(work.resolve("state-" + instance))));
                }
                Throughput throughput = awaitCommitted(admin, speed.applicationId(), ends, total, started);
                speedCpu = processCpuNanos() - speedCpu;
                long streamThreadsCpu = streamThreadsCpuNanos();
                compileMillis = ManagementFactory.getCompilationMXBean().getTotalCompilationTime() - compileMillis;
                System.out.printf("Speed layer applied and committed %,d events in %.1f s from start: %,.0f events/s including start-up; "
                        + "%,.0f events/s sustained (%,d events from its first commit at %.1f s to the last); "
                        + "%.1f µs CPU per event in this JVM, start-up included%n",
                        total, throughput.totalSeconds(), total / throughput.totalSeconds(), throughput.sustainedPerSecond(),
                        throughput.sustainedEvents(), throughput.first().atSeconds(), speedCpu / 1e3 / total);
                // The process's CPU includes the JIT compilers warming up Kafka Streams, the Cassandra driver and this code,
                // and the garbage collector; the stream threads' own CPU is the work per event that more events would not dilute.
                System.out.printf("Of that CPU: the stream threads %.1f µs per event (start-up and restore included), %.1f µs per event "
                                + "sustained (from the first commit); JIT compilers busy for %.1f s (elapsed, summed over compiler threads)%n",
                        streamThreadsCpu / 1e3 / total,
                        (throughput.end().streamThreadsCpuNanos() - throughput.first().streamThreadsCpuNanos()) / 1e3 / throughput.sustainedEvents(),
                        compileMillis / 1e3);
                Mark warm = throughput.warm();
                Mark end = throughput.end();
                System.out.printf("After the first %,d events (committed at %.1f s): %,.0f events/s over the %,d after them; %.1f µs CPU per "
                                + "event in this JVM, the stream threads %.1f; JIT compilers busy for %.1f s meanwhile%n",
                        warm.committed(), warm.atSeconds(), throughput.warmPerSecond(), throughput.warmEvents(),
                        (end.processCpuNanos() - warm.processCpuNanos()) / 1e3 / throughput.warmEvents(),
                        (end.streamThreadsCpuNanos() - warm.streamThreadsCpuNanos()) / 1e3 / throughput.warmEvents(),
                        (end.compileMillis() - warm.compileMillis()) / 1e3);

                FreshnessProbe.Result freshness;
                try (ServingProcess serving = serveUrl != null ? null : ServingProcess.start(lambdaScript, source, topic, work);
                        CqlSession session = speed.cassandra().connect()) {
                    URI url = serveUrl != null ? serveUrl : serving.url();
                    SpeedViews views = new CassandraSpeedViews(session, speed.cassandra().keyspace(), speed.retention());
                    freshness = new FreshnessProbe(kafka, topic, url, views, "fresh-" + run, products, seed + 1)
                            .run(rate, freshnessWarmUp, freshnessDuration, PROBE_INTERVAL, Duration.ofSeconds(30));
                }
                FreshnessProbe.Latencies answered = freshness.answered();
                FreshnessProbe.Latencies stored = freshness.stored();
                System.out.printf("Freshness at %,d events/s for %s after %s of warm-up: %d of %d probes visible in /v1/metrics, "
                                + "produced -> visible p50 %.0f ms, p99 %.0f ms, max %.0f ms; produced -> in Cassandra's speed rows p50 %.0f ms, p99 %.0f ms, "
                                + "max %.0f ms%n",
                        rate, freshnessDuration, freshnessWarmUp, answered.count(), freshness.sent(), answered.percentile(50),
                        answered.percentile(99), answered.percentile(100), stored.percentile(50), stored.percentile(99), stored.percentile(100));
                // Where the slow probes are: at the start of the phase (a transient) or throughout.
                int perFiveSeconds = (int) (Duration.ofSeconds(5).toNanos() / PROBE_INTERVAL.toNanos());
                System.out.printf("Slowest probe of each 5 s, in order: produced -> visible %s ms; produced -> in Cassandra %s ms%n",
                        answered.slowestPer(perFiveSeconds), stored.slowestPer(perFiveSeconds));
                System.out.printf("Slowest probes (#probe:ms): produced -> visible %s; produced -> in Cassandra %s%n",
                        answered.slowest(5), stored.slowest(5));
                if (answered.count() < freshness.sent()) {
                    throw new IllegalStateException((freshness.sent() - answered.count())
                            + " freshness probes never became visible within 30 s of the end");
                }
                double warmPerSecond = throughput.warmPerSecond();
                summary = String.format(Locale.ROOT, "speed-bench: events=%d events_per_s=%.0f bare_consumer_per_s=%.0f ratio=%.2f "
                                + "freshness_p50_ms=%.0f freshness_p99_ms=%.0f stored_p50_ms=%.0f stored_p99_ms=%.0f cold_events_per_s=%.0f traffic=%s",
                        events, warmPerSecond, bare.warmRecordsPerSecond(), warmPerSecond / bare.warmRecordsPerSecond(),
                        answered.percentile(50), answered.percentile(99), stored.percentile(50), stored.percentile(99),
                        throughput.sustainedPerSecond(), traffic);
            }
            // After the speed layer has stopped and logged so: the summary is the last line.
            System.out.println(summary);
        }
        finally {
            deleteRecursively(work);
        }
        return 0;
    }

    /**
     * How long the speed layer took: from start to the last commit of its product tasks ({@code end}); sustained, from the
     * first commit of its source tasks (after start-up, the first rebalance and the first commit interval); and warm, from
     * the first poll of the committed offsets that found the warm-up events committed.
     */
    private record Throughput(Mark first, Mark warm, Mark end) {
        double totalSeconds() {
            return end.atSeconds();
        }

        long sustainedEvents() {
            return end.committed() - first.committed();
        }

        double sustainedPerSecond() {
            return sustainedEvents() / (end.atSeconds() - first.atSeconds());
        }

        long warmEvents() {
            return end.committed() - warm.committed();
        }

        double warmPerSecond() {
            return warmEvents() / (end.atSeconds() - warm.atSeconds());
        }
    }

    /** A point of the run, from the speed layer's start: the events committed and the CPU spent so far. */
    private record Mark(double atSeconds, long committed, long processCpuNanos, long streamThreadsCpuNanos, long compileMillis) {
        static Mark now(long started, long committed) {
            return new Mark((System.nanoTime() - started) / 1e9, committed, SpeedBenchmarkMain.processCpuNanos(),
                    SpeedBenchmarkMain.streamThreadsCpuNanos(), ManagementFactory.getCompilationMXBean().getTotalCompilationTime());
        }
    }

    private Throughput awaitCommitted(Admin admin, String group, Map<TopicPartition, Long> ends, int total, long started) throws Exception {
        Mark first = null;
        Mark warm = null;
        while (true) {
            long committed = committed(admin, group, ends);
            if (first == null && committed > 0) {
                first = Mark.now(started, committed);
            }
            if (warm == null && committed > 0 && committed >= warmUpEvents) {
                warm = warmUpEvents == 0 ? first : Mark.now(started, committed);
            }
            if (committed == total) {
                break;
            }
            Thread.sleep(100);
        }
        // Every event is sent on to the product tasks; they have written it once the repartition topic is committed to its end.
        Map<TopicPartition, Long> byProductEnds = committedEnds(admin, SpeedTopology.byProductTopic(group));
        while (committed(admin, group, byProductEnds) < byProductEnds.values().stream().mapToLong(Long::longValue).sum()) {
            Thread.sleep(100);
        }
        return new Throughput(first, warm, Mark.now(started, total));
    }

    /** Sends {@code count} records of the kind of traffic asked for; returns how many of them are valid events. */
    private long preload(KafkaSettings kafka, String topic, int count, Traffic kind) {
        Map<String, Object> settings = kafka.clientProperties(Map.of(
                ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4",
                ProducerConfig.ACKS_CONFIG, "all"));
        long valid = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings, new ByteArraySerializer(), new ByteArraySerializer())) {
            if (kind == Traffic.GENERATED) {
                EventGenerator generator = new EventGenerator(GeneratorSettings.defaults(count, seed).withProducts(products), InstantSource.system());
                while (generator.hasNext()) {
                    GeneratedRecord record = generator.next();
                    producer.send(new ProducerRecord<>(topic, record.key(), record.value()));
                    valid += record.kind() == GeneratedRecord.Kind.INVALID ? 0 : 1;
                }
            }
            else {
                Random random = new Random(seed);
                Instant base = Instant.now().minus(Duration.ofHours(2));
                for (int i = 0; i < count; i++) {
                    String product = "bench-p" + random.nextInt(products);
                    Event event = new Event("e" + i, product, null, BigDecimal.valueOf(random.nextInt(100_000) - 10_000, 2),
                            random.nextInt(60_000), base.plusMillis(random.nextInt(7_200_000)));
                    producer.send(new ProducerRecord<>(topic, product.getBytes(StandardCharsets.UTF_8), EventCodec.encode(event)));
                    valid++;
                }
            }
            producer.flush();
        }
        return valid;
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

    /** How many records of {@code ends}' partitions the group has committed, up to each partition's end. */
    private static long committed(Admin admin, String group, Map<TopicPartition, Long> ends) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        long total = 0;
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            OffsetAndMetadata position = committed.get(end.getKey());
            total += position == null ? 0 : Math.min(position.offset(), end.getValue());
        }
        return total;
    }

    private static void deleteRecursively(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    private static void closeAll(List<SpeedApp> apps) {
        apps.forEach(SpeedApp::close);
    }

    /** CPU time of this JVM, all threads: independent of what else runs on the machine, unlike wall time. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** CPU time of the Kafka Streams threads now alive in this JVM (every instance's). */
    private static long streamThreadsCpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long total = 0;
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().contains("-StreamThread-")) {
                total += Math.max(0, threads.getThreadCpuTime(thread.getId()));
            }
        }
        return total;
    }

    /** Reads durations such as {@code 30s} or {@code 2m}. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return ConfigFactory.parseString("d = " + value).getDuration("d");
        }
    }
}
