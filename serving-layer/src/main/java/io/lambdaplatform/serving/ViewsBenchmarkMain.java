package io.lambdaplatform.serving;

import com.datastax.oss.driver.api.core.CqlSession;
import picocli.CommandLine.Mixin;
import io.lambdaplatform.model.cli.Entrypoint;
import io.lambdaplatform.model.cli.ConfigSourceOptions;
import io.lambdaplatform.model.DurationSketch;
import io.lambdaplatform.model.EventWindow;
import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.model.Metrics;
import io.lambdaplatform.model.Sketches;
import io.lambdaplatform.model.UserSketch;
import io.lambdaplatform.model.ViewKey;
import io.lambdaplatform.viewstore.BatchVersion;
import io.lambdaplatform.viewstore.BatchViewWriter;
import io.lambdaplatform.viewstore.CassandraBatchViews;
import io.lambdaplatform.viewstore.CassandraSettings;
import io.lambdaplatform.viewstore.CassandraSpeedViews;
import io.lambdaplatform.viewstore.SpeedDelta;
import io.lambdaplatform.viewstore.SpeedProgress;
import io.lambdaplatform.viewstore.ViewRow;
import io.lambdaplatform.viewstore.ViewSchema;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/**
 * Writes a realistic amount of views for one product into Cassandra, for measuring the serving
 * layer's latency (docs/serving-layer.md, "Measured"): a published batch version with every 5m, 1h
 * and 1d window of the last {@code --days} days before its cutoff, and speed rows for the last
 * {@code --speed-hours} hours, {@code --speed-rows-per-window} ingest buckets per 5-minute window, as
 * a product with an event every few seconds has. The numbers are deterministic.
 */
@Command(name = "benchmark-views", mixinStandardHelpOptions = true,
        description = "Loads batch and speed views for latency measurements of the serving layer.")
public final class ViewsBenchmarkMain implements Callable<Integer> {

    @Mixin
    private ConfigSourceOptions source;

    @Option(names = "--product", defaultValue = "bench-1", description = "Product id (default ${DEFAULT-VALUE}).")
    private String product;

    @Option(names = "--days", defaultValue = "7", description = "Days of batch rows before the cutoff (default ${DEFAULT-VALUE}).")
    private int days;

    @Option(names = "--batch-lag", defaultValue = "PT1H", description = "How far the cutoff lies behind now (default ${DEFAULT-VALUE}).")
    private Duration batchLag;

    @Option(names = "--speed-hours", defaultValue = "24", description = "Hours of speed rows before now (default ${DEFAULT-VALUE}).")
    private int speedHours;

    @Option(names = "--speed-rows-per-window", defaultValue = "5",
            description = "Speed rows (1-minute ingest buckets) per 5-minute window (default ${DEFAULT-VALUE}).")
    private int speedRowsPerWindow;

    public static void main(String[] args) {
        Entrypoint.run(new ViewsBenchmarkMain(), args);
    }

    @Override
    public Integer call() {
        ServingConfig config = ServingConfig.from(source.load());
        CassandraSettings settings = config.cassandra();
        try (CqlSession session = settings.connect()) {
            ViewSchema.create(session, settings.keyspace(), config.replicationFactor());
            // User-facing summary of what was written.
            System.out.println(load(session, settings.keyspace(), List.of(product), days, batchLag, speedHours, speedRowsPerWindow));
        }
        return 0;
    }

    /**
     * Writes, through the real writers, one published batch version with every 5m, 1h and 1d window of the {@code days}
     * days before its cutoff ({@code batchLag} behind now) for each product, and {@code speedRowsPerWindow} speed rows
     * (1-minute ingest buckets) per 5-minute window of the last {@code speedHours} hours. Returns a summary line.
     */
    public static String load(CqlSession session, String keyspace, List<String> products, int days, Duration batchLag, int speedHours,
            int speedRowsPerWindow) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        Instant cutoff = now.minus(batchLag).truncatedTo(ChronoUnit.MINUTES);
        CassandraBatchViews batch = new CassandraBatchViews(session, keyspace);
        CassandraSpeedViews speed = new CassandraSpeedViews(session, keyspace);

        BatchVersion version = batch.begin(cutoff, now);
        long rows = 0;
        long events = 0;
        try (BatchViewWriter writer = batch.writer(version.version())) {
            for (String product : products) {
                for (Granularity granularity : Granularity.values()) {
                    Instant start = granularity.windowStart(cutoff.minus(Duration.ofDays(days)));
                    for (Instant window = start; window.isBefore(cutoff); window = window.plus(granularity.width())) {
                        long fiveMinuteWindows = granularity.width().toMinutes() / 5;
                        Metrics metrics = metrics(window.getEpochSecond(), fiveMinuteWindows * 60);
                        writer.write(new ViewRow(new ViewKey(product, new EventWindow(granularity, window)), metrics));
                        rows++;
                        if (granularity == Granularity.ONE_DAY) {
                            events += metrics.eventCount();
                        }
                    }
                }
            }
        }
        batch.publish(version.version(), rows, events, Instant.now());

        List<CompletableFuture<Void>> writes = new ArrayList<>();
        long deltas = 0;
        Instant speedStart = Granularity.FIVE_MINUTES.windowStart(now.minus(Duration.ofHours(speedHours)));
        for (String product : products) {
            for (Instant window = speedStart; window.isBefore(now); window = window.plus(Granularity.FIVE_MINUTES.width())) {
                for (int bucket = 0; bucket < speedRowsPerWindow; bucket++) {
                    writes.add(speed.upsert(new SpeedDelta(new ViewKey(product, new EventWindow(Granularity.FIVE_MINUTES, window)),
                            window.plus(Duration.ofMinutes(bucket)), metrics(window.getEpochSecond() + bucket, 12)))
                            .toCompletableFuture());
                    deltas++;
                    if (writes.size() >= 256) {
                        writes.forEach(CompletableFuture::join);
                        writes.clear();
                    }
                }
            }
            writes.add(speed.recordProduct(product).toCompletableFuture());
        }
        writes.forEach(CompletableFuture::join);
        for (int partition = 0; partition < 3; partition++) {
            speed.saveProgress(new SpeedProgress(partition, now.minusSeconds(5), speedStart, ViewSchema.DEFAULT_SPEED_RETENTION, now));
        }
        return String.format(Locale.ROOT, "%d product(s) from %s to %s: batch version %d (cutoff %s) with %d rows, %d speed rows since %s",
                products.size(), products.get(0), products.get(products.size() - 1), version.version(), cutoff, rows, deltas, speedStart);
    }

    /**
     * A window with {@code events} events whose revenue and durations vary with {@code seed}, with the sketches such
     * events give: users drawn from 5,000 (so a day's window holds most of them), durations spread around the mean.
     */
    private static Metrics metrics(long seed, long events) {
        long cents = Math.floorMod(seed * 7919, 100_000) * events;
        long meanDuration = 500 + Math.floorMod(seed, 1000);
        Sketches sketches = Sketches.EMPTY;
        for (long i = 0; i < events; i++) {
            long spread = Math.floorMod(seed * 31 + i * 7, 2 * meanDuration + 1) - meanDuration;
            sketches = sketches.merge(new Sketches(UserSketch.of("u-" + Math.floorMod(seed * 13 + i * 17, 5_000)),
                    DurationSketch.of(meanDuration + spread)));
        }
        return new Metrics(events, BigDecimal.valueOf(cents, 2), BigInteger.valueOf(events * meanDuration), sketches);
    }
}
