package io.lambdaplatform.speed.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lambdaplatform.model.Event;
import io.lambdaplatform.model.EventCodec;
import io.lambdaplatform.model.config.KafkaSettings;
import io.lambdaplatform.viewstore.SpeedViews;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static java.util.Objects.requireNonNull;

/**
 * Event produced → visible in {@code GET /v1/metrics} of a serving layer, while events stream in at a fixed
 * rate. Among the background events, one probe event of a product of its own goes out every
 * {@code probeInterval}; all probes share a partition, so they are counted in the order sent, and probe k is
 * visible once the product's {@code event_count} reaches k + 1. A poller asks the serving layer over HTTP
 * as fast as it answers; the latency of a probe is from just before {@code send} to the first answer
 * that counts it (so it includes up to one answer's round trip). A second poller reads the probe product's speed
 * rows from Cassandra, as the serving layer does, so that the latency splits into the speed layer's part (produced →
 * stored) and the serving layer's (stored → answered).
 */
final class FreshnessProbe {

    /** The latencies of the probes seen in the answers and in Cassandra's speed rows, and how many were sent. */
    record Result(Latencies answered, Latencies stored, int sent, long backgroundEvents) {}

    /** Latencies in milliseconds. */
    record Latencies(double[] millis) {
        int count() {
            return millis.length;
        }

        double percentile(double p) {
            if (millis.length == 0) {
                return Double.NaN;
            }
            double[] sorted = millis.clone();
            Arrays.sort(sorted);
            int index = (int) Math.ceil(p / 100 * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
        }

        /** The slowest latency of each run of {@code probes} consecutive probes, in the order they were sent. */
        String slowestPer(int probes) {
            StringJoiner slowest = new StringJoiner(" ");
            for (int from = 0; from < millis.length; from += probes) {
                double max = Arrays.stream(millis, from, Math.min(millis.length, from + probes)).max().orElseThrow();
                slowest.add(String.format(Locale.ROOT, "%.0f", max));
            }
            return slowest.toString();
        }

        /** The {@code n} slowest probes, as "#index:ms", slowest first. */
        String slowest(int n) {
            return IntStream.range(0, millis.length).boxed()
                    .sorted(Comparator.comparingDouble((Integer k) -> millis[k]).reversed())
                    .limit(n)
                    .map(k -> String.format(Locale.ROOT, "#%d:%.0f", k, millis[k]))
                    .collect(Collectors.joining(" "));
        }
    }

    /** How many probes a source counts now. */
    @FunctionalInterface
    private interface VisibleCount {
        long get() throws IOException, InterruptedException;
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaSettings kafka;
    private final String topic;
    private final URI serving;
    private final SpeedViews views;
    private final String probeProduct;
    private final int products;
    private final Random random;

    /**
     * @param views the speed rows the serving layer reads, in the same keyspace
     */
    FreshnessProbe(KafkaSettings kafka, String topic, URI serving, SpeedViews views, String probeProduct, int products, long seed) {
        this.kafka = requireNonNull(kafka, "kafka is null");
        this.topic = requireNonNull(topic, "topic is null");
        this.serving = requireNonNull(serving, "serving is null");
        this.views = requireNonNull(views, "views is null");
        this.probeProduct = requireNonNull(probeProduct, "probeProduct is null");
        this.products = products;
        this.random = new Random(seed);
    }

    /**
     * Streams events in at {@code eventsPerSecond} for {@code warmUp} and then {@code duration}, with a probe every
     * {@code probeInterval} of {@code duration}, and waits up to {@code settle} after the last for the pollers to see them.
     */
    Result run(int eventsPerSecond, Duration warmUp, Duration duration, Duration probeInterval, Duration settle) throws Exception {
        int probes = (int) (duration.toNanos() / probeInterval.toNanos());
        AtomicLongArray sentNanos = new AtomicLongArray(probes);
        AtomicInteger sent = new AtomicInteger();
        Instant from = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(1));
        Instant to = from.plus(Duration.ofHours(4));
        URI query = serving.resolve("/v1/metrics/" + probeProduct + "?from=" + from + "&to=" + to + "&granularity=1h");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        long visibleBefore = count(http, query);
        if (visibleBefore != 0) {
            throw new IllegalStateException("Probe product " + probeProduct + " already has " + visibleBefore + " events");
        }
        Poller answered = new Poller("answered", probes, sent, () -> count(http, query));
        Poller stored = new Poller("stored", probes, sent,
                () -> views.read(probeProduct, from, to).stream().mapToLong(delta -> delta.metrics().eventCount()).sum());

        Map<String, Object> settings = kafka.clientProperties(Map.of(
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.ACKS_CONFIG, "all"));
        long background = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings, new ByteArraySerializer(), new ByteArraySerializer())) {
            long started = System.nanoTime();
            long tickNanos = Duration.ofMillis(10).toNanos();
            int perTick = Math.max(1, eventsPerSecond / 100);
            long nextProbe = started + warmUp.toNanos();
            long end = nextProbe + duration.toNanos();
            int index = 0;
            for (long tick = started; tick < end; tick += tickNanos) {
                long wait = tick - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                for (int i = 0; i < perTick; i++) {
                    if (System.nanoTime() >= nextProbe && sent.get() < probes) {
                        int k = sent.get();
                        Event probe = new Event("probe-" + k, probeProduct, null, BigDecimal.ONE, 1, Instant.now());
                        sentNanos.set(k, System.nanoTime());
                        producer.send(new ProducerRecord<>(topic, probeProduct.getBytes(StandardCharsets.UTF_8), EventCodec.encode(probe)));
                        sent.incrementAndGet();
                        nextProbe += probeInterval.toNanos();
                        continue;
                    }
                    String product = "bench-p" + random.nextInt(products);
                    Event event = new Event("live-" + index++, product, null, BigDecimal.valueOf(random.nextInt(100_000) - 10_000, 2),
                            random.nextInt(60_000), Instant.now().minusMillis(random.nextInt(60_000)));
                    producer.send(new ProducerRecord<>(topic, product.getBytes(StandardCharsets.UTF_8), EventCodec.encode(event)));
                    background++;
                }
            }
            producer.flush();
        }
        long settleUntil = System.nanoTime() + settle.toNanos();
        return new Result(answered.await(settleUntil, sentNanos), stored.await(settleUntil, sentNanos), sent.get(), background);
    }

    /** A thread that asks one source how many probes it counts, as fast as it answers, and notes when each first counts. */
    private static final class Poller {
        private final String name;
        private final AtomicLongArray seenNanos;
        private final Thread thread;
        private volatile Exception failure;

        Poller(String name, int probes, AtomicInteger sent, VisibleCount visible) {
            this.name = name;
            this.seenNanos = new AtomicLongArray(probes);
            this.thread = new Thread(() -> {
                int seen = 0;
                try {
                    while (seen < probes && !Thread.currentThread().isInterrupted()) {
                        long count = visible.get();
                        long now = System.nanoTime();
                        while (seen < Math.min(count, sent.get())) {
                            seenNanos.set(seen++, now);
                        }
                        Thread.sleep(5);
                    }
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                catch (IOException | RuntimeException e) {
                    failure = e;
                }
            }, "freshness-poller-" + name);
            thread.setDaemon(true);
            thread.start();
        }

        /** The latencies of the probes this poller saw by {@code untilNanos} ({@link System#nanoTime}). */
        Latencies await(long untilNanos, AtomicLongArray sentNanos) throws InterruptedException {
            thread.join(Math.max(1, (untilNanos - System.nanoTime()) / 1_000_000));
            thread.interrupt();
            if (failure != null) {
                throw new IllegalStateException("Polling the " + name + " probe count failed", failure);
            }
            List<Double> latencies = new ArrayList<>();
            for (int k = 0; k < seenNanos.length(); k++) {
                if (seenNanos.get(k) != 0) {
                    latencies.add((seenNanos.get(k) - sentNanos.get(k)) / 1e6);
                }
            }
            return new Latencies(latencies.stream().mapToDouble(Double::doubleValue).toArray());
        }
    }

    /** The product's event count over the query's range, as the serving layer answers it. */
    private static long count(HttpClient http, URI query) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(query).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + query + " answered " + response.statusCode() + ": " + response.body());
        }
        long total = 0;
        for (JsonNode window : JSON.readTree(response.body()).path("windows")) {
            total += window.path("event_count").asLong();
        }
        return total;
    }
}
