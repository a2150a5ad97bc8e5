package io.lambdaplatform.serving;

import io.lambdaplatform.model.EventWindow;
import io.lambdaplatform.model.Metrics;
import io.lambdaplatform.viewstore.BatchVersion;
import io.lambdaplatform.viewstore.BatchViews;
import io.lambdaplatform.viewstore.DeadLetterCount;
import io.lambdaplatform.viewstore.IngestHole;
import io.lambdaplatform.viewstore.SpeedDelta;
import io.lambdaplatform.viewstore.SpeedProgress;
import io.lambdaplatform.viewstore.SpeedViews;
import io.lambdaplatform.viewstore.ViewRow;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * The serving layer's answer: batch view (version V, cutoff C) ⊕ speed rows with ingest bucket ≥ C.
 *
 * <p>For a query (product, granularity g, [from, to)) it reads the batch pointer, the rows of V in the
 * range at g, and the product's 5-minute speed rows in the range; keeps the speed rows whose ingest
 * bucket is at or after C (all of them before the first batch run), rolls them up to g, and merges
 * per window with {@link Metrics#merge}. Because the batch view covers exactly the events ingested
 * before C and each speed row exactly the events of its ingest bucket, every event is counted once,
 * including late events on either side of the cutoff. Windows without events are left out.
 *
 * <p>Stateless and thread-safe: every call reads the store afresh.
 */
public final class MergedView {

    private final BatchViews batch;
    private final SpeedViews speed;
    private final Clock clock;
    private final MeterRegistry meters;
    private final Executor reads;

    /**
     * @param reads runs the speed-layer reads while the calling thread reads the batch pointer and rows;
     *              {@code Runnable::run} reads everything one after the other
     */
    public MergedView(BatchViews batch, SpeedViews speed, Clock clock, MeterRegistry meters, Executor reads) {
        this.batch = requireNonNull(batch, "batch is null");
        this.speed = requireNonNull(speed, "speed is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.meters = requireNonNull(meters, "meters is null");
        this.reads = requireNonNull(reads, "reads is null");
    }

    public MetricsAnswer answer(MetricsQuery query) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        // The speed rows do not depend on the pointer: read them meanwhile. Which pointer they are
        // filtered by is decided below, so a batch published in between changes nothing.
        CompletableFuture<List<SpeedDelta>> speedRead = CompletableFuture.supplyAsync(
                () -> timed("speed-rows", () -> speed.read(query.productId(), query.from(), query.to())), reads);
        CompletableFuture<List<SpeedProgress>> progressRead = CompletableFuture.supplyAsync(
                () -> timed("speed-progress", speed::progress), reads);
        CompletableFuture<List<IngestHole>> holesRead = CompletableFuture.supplyAsync(
                () -> timed("speed-holes", speed::holes), reads);
        CompletableFuture<List<IngestHole>> batchHolesRead = CompletableFuture.supplyAsync(
                () -> timed("batch-holes", batch::holes), reads);
        Optional<BatchVersion> pointer;
        List<ViewRow> batchRows;
        try {
            pointer = timed("batch-pointer", batch::current);
            batchRows = pointer
                    .map(version -> timed("batch-rows", () -> batch.read(version.version(), query.productId(), query.granularity(),
                            query.from(), query.to())))
                    .orElse(List.of());
        }
        finally {
            // Wait for the speed reads even when the batch read failed, so none outlives the request.
            await(speedRead.handle((rows, failure) -> null));
            await(progressRead.handle((rows, failure) -> null));
            await(holesRead.handle((rows, failure) -> null));
            await(batchHolesRead.handle((rows, failure) -> null));
        }
        List<SpeedDelta> speedRows = await(speedRead);
        List<SpeedProgress> progress = await(progressRead);
        List<IngestHole> holes = await(holesRead);
        List<IngestHole> batchHoles = await(batchHolesRead);

        Instant cutoff = pointer.map(BatchVersion::cutoff).orElse(null);
        Map<EventWindow, Metrics[]> byWindow = new TreeMap<>();
        int batchUsed = 0;
        for (ViewRow row : batchRows) {
            EventWindow window = row.key().window();
            if (inQuery(query, window) && row.key().productId().equals(query.productId())) {
                parts(byWindow, window)[0] = parts(byWindow, window)[0].merge(row.metrics());
                batchUsed++;
            }
        }
        int speedUsed = 0;
        int superseded = 0;
        for (SpeedDelta delta : speedRows) {
            if (cutoff != null && delta.ingestBucket().isBefore(cutoff)) {
                superseded++;
                continue;
            }
            EventWindow window = delta.key().window().rollUp(query.granularity());
            if (inQuery(query, window) && delta.key().productId().equals(query.productId())) {
                parts(byWindow, window)[1] = parts(byWindow, window)[1].merge(delta.metrics());
                speedUsed++;
            }
        }
        List<MergedWindow> windows = new ArrayList<>(byWindow.size());
        byWindow.forEach((window, parts) -> {
            MergedWindow merged = new MergedWindow(window, parts[0], parts[1]);
            if (!merged.total().isEmpty()) {
                windows.add(merged);
            }
        });

        SpeedCoverage coverage = new SpeedCoverage(progress, holes, now);
        List<IngestGap> gaps = gaps(coverage, batchHoles, cutoff);
        summary("batch").record(batchUsed);
        summary("speed").record(speedUsed);
        summary("speed-superseded").record(superseded);
        summary("windows").record(windows.size());
        return new MetricsAnswer(query, windows, pointer.orElse(null), coverage, gaps, batchUsed, speedUsed, superseded);
    }

    public PlatformStatus status() {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Optional<BatchVersion> pointer = timed("batch-pointer", batch::current);
        List<SpeedProgress> progress = timed("speed-progress", speed::progress);
        List<DeadLetterCount> deadLetters = timed("dead-letters", speed::deadLetters);
        List<IngestHole> holes = timed("speed-holes", speed::holes);
        List<IngestHole> batchHoles = timed("batch-holes", batch::holes);
        SpeedCoverage coverage = new SpeedCoverage(progress, holes, now);
        return new PlatformStatus(now, pointer.orElse(null), coverage, deadLetters,
                gaps(coverage, batchHoles, pointer.map(BatchVersion::cutoff).orElse(null)));
    }

    /**
     * What an answer with this batch cutoff ({@code null} before the first version) cannot cover: the speed
     * layer's gaps from the cutoff on, and the part below the cutoff of every hole the batch layer accepted
     * (records deleted from the log before it archived them: missing from every batch view, forever).
     */
    static List<IngestGap> gaps(SpeedCoverage coverage, List<IngestHole> batchHoles, Instant cutoff) {
        List<IngestGap> gaps = new ArrayList<>(coverage.gapsFrom(cutoff == null ? Instant.EPOCH : cutoff));
        if (cutoff == null) {
            return gaps;
        }
        for (IngestHole hole : batchHoles) {
            // A deleted record may share the ingest time of the first record read after it: the gap includes that instant.
            Instant to = hole.toIngest().plusMillis(1);
            Instant end = to.isBefore(cutoff) ? to : cutoff;
            if (hole.fromIngest().isBefore(end)) {
                gaps.add(new IngestGap(hole.fromIngest(), end, "records at offsets [" + hole.fromOffset() + ", " + hole.toOffset()
                        + ") of partition " + hole.partition() + " were deleted from the log before the batch layer archived them"
                        + " (accepted with --accept-log-holes)"));
            }
        }
        return gaps;
    }

    /** Product ids with data in the current batch version or the speed rows that start with {@code prefix}, sorted. */
    public List<String> products(String prefix, int limit) {
        requireNonNull(prefix, "prefix is null");
        Set<String> all = new TreeSet<>(timed("speed-products", speed::products));
        timed("batch-pointer", batch::current)
                .ifPresent(version -> all.addAll(timed("batch-products", () -> batch.products(version.version()))));
        return all.stream().filter(product -> product.startsWith(prefix)).limit(limit).toList();
    }

    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.join();
        }
        catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    private static boolean inQuery(MetricsQuery query, EventWindow window) {
        return window.granularity() == query.granularity()
                && !window.start().isBefore(query.from())
                && window.start().isBefore(query.to());
    }

    private static Metrics[] parts(Map<EventWindow, Metrics[]> byWindow, EventWindow window) {
        return byWindow.computeIfAbsent(window, ignored -> new Metrics[] {Metrics.EMPTY, Metrics.EMPTY});
    }

    private <T> T timed(String read, Supplier<T> call) {
        Timer.Sample sample = Timer.start(meters);
        String outcome = "error";
        try {
            T result = call.get();
            outcome = "ok";
            return result;
        }
        finally {
            sample.stop(Timer.builder("lambda.serving.store.reads")
                    .description("Latency of reads from the view store (Cassandra)")
                    .tag("read", read)
                    .tag("outcome", outcome)
                    .publishPercentileHistogram()
                    .register(meters));
        }
    }

    private DistributionSummary summary(String part) {
        return DistributionSummary.builder("lambda.serving.merge.size")
                .description("Rows merged per metrics query, by source, and windows answered")
                .baseUnit("rows")
                .tag("part", part)
                .publishPercentileHistogram()
                .maximumExpectedValue(100_000.0)
                .register(meters);
    }
}
