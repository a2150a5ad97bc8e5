package io.lambdaplatform.serving;

import io.lambdaplatform.model.EventWindow;
import io.lambdaplatform.model.IngestBuckets;
import io.lambdaplatform.model.Metrics;
import io.lambdaplatform.model.config.PlatformMode;
import io.lambdaplatform.viewstore.BatchBuild;
import io.lambdaplatform.viewstore.BatchVersion;
import io.lambdaplatform.viewstore.BatchViews;
import io.lambdaplatform.viewstore.DeadLetterCount;
import io.lambdaplatform.viewstore.InMemoryViewSets;
import io.lambdaplatform.viewstore.IngestHole;
import io.lambdaplatform.viewstore.LegacyRowsCopy;
import io.lambdaplatform.viewstore.SpeedDelta;
import io.lambdaplatform.viewstore.SpeedProgress;
import io.lambdaplatform.viewstore.SpeedViews;
import io.lambdaplatform.viewstore.ViewRow;
import io.lambdaplatform.viewstore.ViewSet;
import io.lambdaplatform.viewstore.ViewSets;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * The serving layer's answer: batch view (version V, cutoff C) ⊕ speed rows with ingest bucket ≥ C.
 *
 * <p>For a query (product, granularity g, [from, to)) it reads the batch pointer, then the rows of V in the
 * range at g and the product's 5-minute speed rows in the range whose ingest bucket is at or after C (all of
 * them before the first batch run); rolls the speed rows up to g, and merges
 * per window with {@link Metrics#merge}. Because the batch view covers exactly the events ingested
 * before C and each speed row exactly the events of its ingest bucket, every event is counted once,
 * including late events on either side of the cutoff. Windows without events are left out.
 *
 * <p>Thread-safe. The pointer, progress and holes come through the {@link ViewStateCache} (at most its maximum age old),
 * the rows of the published version through the {@link BatchRowCache}, keyed by version; the speed rows of the ingest
 * buckets the watermark has passed through the {@link SealedSpeedRows}, rolled up; the later speed rows are read afresh by
 * every call.
 */
public final class MergedView {

    private final BatchViews batch;
    private final SpeedViews speed;
    private final PlatformMode mode;
    private final ViewSets sets;
    private final Function<ViewSet, SpeedViews> speedIn;
    private final BatchRowCache batchRows;
    private final SealedSpeedRows speedRows;
    private final ViewStateCache sharedState;
    private final Clock clock;
    private final MeterRegistry meters;
    private final Executor reads;
    private final int productsInFlight;
    private final Runnable beforeEachMerge;
    /** The shared state every answer of this view uses, or {@code null}: the state of {@link #sharedState} at each answer. */
    private final ViewState pinned;

    /**
     * @param batchRows where the rows of published versions are read through (shared by every request)
     * @param sharedState where the pointer, progress and holes are read through (shared by every request)
     * @param readsPerRequest row reads (each one Cassandra query at a time) one request keeps in flight at most, besides
     *              the shared state's; two per product, so products are read {@code readsPerRequest / 2} at a time
     * @param reads runs every read; its threads bound the reads in flight of the whole service.
     *              {@code Runnable::run} reads everything one after the other
     */
    public MergedView(BatchViews batch, SpeedViews speed, BatchRowCache batchRows, ViewStateCache sharedState, int readsPerRequest, Clock clock,
            MeterRegistry meters, Executor reads) {
        this(new ViewSource.Views(batch, speed, new InMemoryViewSets(), set -> speed), PlatformMode.LAMBDA, batchRows,
                new SealedSpeedRows(0, IngestBuckets.DEFAULT), sharedState, readsPerRequest, clock, meters, reads);
    }

    /**
     * @param mode Lambda: batch ⊕ speed of the platform's keyspace; Kappa: the speed views of the set the view-set pointer
     *             names, alone
     * @param speedRows where the speed rows no later write changes are kept (shared by every request)
     */
    public MergedView(ViewSource.Views views, PlatformMode mode, BatchRowCache batchRows, SealedSpeedRows speedRows, ViewStateCache sharedState,
            int readsPerRequest, Clock clock, MeterRegistry meters, Executor reads) {
        this.batch = views.batch();
        this.speed = views.speed();
        this.mode = requireNonNull(mode, "mode is null");
        this.sets = views.sets();
        this.speedIn = views.speedIn();
        this.batchRows = requireNonNull(batchRows, "batchRows is null");
        this.speedRows = requireNonNull(speedRows, "speedRows is null");
        this.sharedState = requireNonNull(sharedState, "sharedState is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.meters = requireNonNull(meters, "meters is null");
        this.reads = requireNonNull(reads, "reads is null");
        if (readsPerRequest < 1) {
            throw new IllegalArgumentException("readsPerRequest must be at least 1: " + readsPerRequest);
        }
        this.productsInFlight = Math.max(1, readsPerRequest / 2);
        this.beforeEachMerge = () -> {};
        this.pinned = null;
    }

    private MergedView(MergedView view, Runnable beforeEachMerge, ViewState pinned) {
        this.batch = view.batch;
        this.speed = view.speed;
        this.mode = view.mode;
        this.sets = view.sets;
        this.speedIn = view.speedIn;
        this.batchRows = view.batchRows;
        this.speedRows = view.speedRows;
        this.sharedState = view.sharedState;
        this.clock = view.clock;
        this.meters = view.meters;
        this.reads = view.reads;
        this.productsInFlight = view.productsInFlight;
        this.beforeEachMerge = requireNonNull(beforeEachMerge, "beforeEachMerge is null");
        this.pinned = pinned;
    }

    /** This view, running {@code step} before it merges each product's rows (where a heavy request gives way: {@link RequestLanes}). */
    public MergedView beforeEachMerge(Runnable step) {
        return new MergedView(this, step, pinned);
    }

    /**
     * This view, answering with {@code state} instead of the shared state of each answer's start: answers that share
     * a state may share their result ({@link AnswerCache}).
     */
    MergedView at(ViewState state) {
        return new MergedView(this, beforeEachMerge, requireNonNull(state, "state is null"));
    }

    /**
     * The state shared by every request, at most {@code lambda.serving.reads.state-max-age} old ({@link ViewStateCache}),
     * or the one this view was pinned to ({@link #at}).
     */
    ViewState sharedState() {
        return pinned != null ? pinned : sharedState.get(this::readState, reads);
    }

    public MetricsAnswer answer(MetricsQuery query) {
        List<ProductMerge> products = new ArrayList<>(1);
        Reading reading = read(query.range(), List.of(query.productId()), 1, products::add);
        ProductMerge merged = products.get(0);
        summary("batch").record(merged.batchUsed());
        summary("speed").record(merged.speedUsed());
        summary("speed-superseded").record(merged.superseded());
        summary("windows").record(merged.windows().size());
        return new MetricsAnswer(query, merged.windows(), reading.pointer().orElse(null), reading.coverage(), reading.gaps(),
                merged.batchUsed(), merged.speedUsed(), merged.superseded(), reading.views());
    }

    /**
     * The merged windows of each of {@code products} (distinct), as {@link #answer} merges one product's, under one batch
     * pointer and one coverage; their rows are read a few products at a time, as {@link #acrossProducts} reads.
     */
    public ProductsAnswer answer(List<String> products, WindowRange range) {
        Map<String, List<MergedWindow>> windows = new LinkedHashMap<>();
        Reading reading = read(range, products, products.size(), merged -> windows.put(merged.productId(), merged.windows()));
        summary("products").record(reading.productCount());
        return new ProductsAnswer(range, windows, reading.pointer().orElse(null), reading.coverage(), reading.gaps(), reading.views());
    }

    /**
     * Every product's merged windows of the range, added up per window and per product: the same merge as
     * {@link #answer}, product by product, under one batch pointer and one coverage. Reads two row ranges per
     * product (at most {@code maxProducts}, else {@link TooManyProductsException}) besides the shared reads.
     */
    public CrossProductAnswer acrossProducts(WindowRange range, int maxProducts) {
        Map<EventWindow, Parts> byWindow = new TreeMap<>();
        List<ProductTotal> totals = new ArrayList<>();
        // Each product is added up as soon as its rows are in; its rows are not kept.
        Reading reading = read(range, null, maxProducts, merged -> {
            Parts product = new Parts();
            for (MergedWindow window : merged.windows()) {
                byWindow.computeIfAbsent(window.window(), ignored -> new Parts()).add(window.fromBatch(), window.fromSpeed());
                product.add(window.fromBatch(), window.fromSpeed());
            }
            ProductTotal total = new ProductTotal(merged.productId(), product.batch(), product.speed());
            if (!total.total().isEmpty()) {
                totals.add(total);
            }
        });
        List<MergedWindow> windows = new ArrayList<>(byWindow.size());
        byWindow.forEach((window, parts) -> windows.add(new MergedWindow(window, parts.batch(), parts.speed())));
        summary("products").record(reading.productCount());
        return new CrossProductAnswer(range, windows, totals, reading.productCount(), reading.pointer().orElse(null),
                reading.coverage(), reading.gaps(), reading.views());
    }

    /** What one request read: the pointer and coverage once, and how many products were merged. */
    private record Reading(ViewsUsed views, Optional<BatchVersion> pointer, SpeedCoverage coverage, List<IngestGap> gaps, int productCount) {}

    /** One product's merged windows with events, oldest first, and how many rows went in. */
    private record ProductMerge(String productId, List<MergedWindow> windows, int batchUsed, int speedUsed, int superseded) {}

    private record ProductRows(String productId, CompletableFuture<List<ViewRow>> batch, CompletableFuture<SealedSpeedRows.Part> speed) {}

    /**
     * Reads the pointer, the coverage and the rows of {@code products} ({@code null}: every product of the pointer's
     * version and the speed layer, at most {@code maxProducts}) on {@link #reads}, and hands each product's merge to
     * {@code merged} in order. The rows of at most {@link #productsInFlight} products are read at once: a request over
     * many products or a long range keeps a bounded number of queries in flight and rows in memory.
     */
    private Reading read(WindowRange range, List<String> products, int maxProducts, Consumer<ProductMerge> merged) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        ViewState shared = sharedState();
        SpeedViews speed = shared.speed();
        Optional<BatchVersion> pointer = shared.pointer();
        Instant cutoff = pointer.map(BatchVersion::cutoff).orElse(null);
        // Only the speed rows at or after the cutoff count, so only they are read.
        Instant ingestFrom = cutoff == null ? Instant.EPOCH : cutoff;
        SpeedCoverage coverage = new SpeedCoverage(shared.progress(), shared.speedHoles(), now);
        // The answer vouches for the rows ingested before the watermark; rows ingested after it and after now may be left out.
        Optional<Instant> ingestUntil = coverage.watermark().map(watermark -> watermark.isAfter(now) ? watermark : now);
        // The rows of the buckets the watermark has passed are final when the speed rows lack nothing from the cutoff on (the
        // batch layer's holes lie below it): they are kept, rolled up.
        Optional<Instant> sealedBy = gaps(coverage, List.of(), shared.legacy(), cutoff).isEmpty() ? coverage.watermark() : Optional.empty();
        Deque<ProductRows> pending = new ArrayDeque<>();
        int count = 0;
        try {
            Iterator<String> next = (products != null ? products : products(speed, pointer, maxProducts)).iterator();
            while (next.hasNext() || !pending.isEmpty()) {
                while (next.hasNext() && pending.size() < productsInFlight) {
                    String product = next.next();
                    SealedSpeedRows.Key key = new SealedSpeedRows.Key(shared.views(), product, range.granularity(), ingestFrom);
                    CompletableFuture<SealedSpeedRows.Part> speedRead = start("speed-rows", () -> speedRows.read(key, range, sealedBy,
                            (from, to, readFrom) -> ingestUntil
                                    .map(until -> speed.read(product, from, to, readFrom, until))
                                    .orElseGet(() -> speed.read(product, from, to, readFrom))));
                    CompletableFuture<List<ViewRow>> batchRead = pointer
                            .map(version -> start("batch-rows",
                                    () -> batchRows.read(batch, version.version(), product, range.granularity(), range.from(), range.to())))
                            .orElseGet(() -> CompletableFuture.completedFuture(List.of()));
                    pending.add(new ProductRows(product, batchRead, speedRead));
                }
                ProductRows first = pending.poll();
                beforeEachMerge.run();
                merged.accept(merge(first.productId(), range, cutoff, await(first.batch()), await(first.speed())));
                count++;
            }
        }
        finally {
            // Wait for every read even when one failed, so none outlives the request.
            pending.forEach(product -> {
                settle(product.batch());
                settle(product.speed());
            });
        }
        return new Reading(shared.views(), pointer, coverage, gaps(coverage, shared.batchHoles(), shared.legacy(), cutoff), count);
    }

    /** Reads the shared state afresh, in the order {@link ViewState} explains. */
    private ViewState readState() {
        if (mode == PlatformMode.KAPPA) {
            // The pointer first: every later read is of the set it names, so an answer never mixes two sets.
            Optional<ViewSet> set = timed("view-set-pointer", sets::current);
            SpeedViews current = set.map(speedIn).orElse(speed);
            List<SpeedProgress> progress = timed("speed-progress", current::progress);
            return new ViewState(new ViewsUsed(mode, set), current, Optional.empty(), progress, timed("speed-holes", current::holes), List.of(),
                    timed("speed-upgrade", current::legacyRowsCopy));
        }
        Optional<BatchVersion> pointer = timed("batch-pointer", batch::current);
        List<SpeedProgress> progress = timed("speed-progress", speed::progress);
        return new ViewState(ViewsUsed.LAMBDA, speed, pointer, progress, timed("speed-holes", speed::holes), timed("batch-holes", batch::holes),
                timed("speed-upgrade", speed::legacyRowsCopy));
    }

    private static void settle(CompletableFuture<?> read) {
        read.handle((result, failure) -> null).join();
    }

    private <T> CompletableFuture<T> start(String read, Supplier<T> call) {
        return CompletableFuture.supplyAsync(() -> timed(read, call), reads);
    }

    /**
     * Batch rows of the product (version V, cutoff C) ⊕ its speed rows with ingest bucket ≥ C rolled up to the
     * range's granularity (those of sealed buckets already rolled up), per window; windows without events are left out.
     */
    private static ProductMerge merge(String productId, WindowRange range, Instant cutoff, List<ViewRow> batchRows,
            SealedSpeedRows.Part speedRows) {
        Map<EventWindow, Parts> byWindow = new TreeMap<>();
        int batchUsed = 0;
        for (ViewRow row : batchRows) {
            EventWindow window = row.key().window();
            if (range.contains(window) && row.key().productId().equals(productId)) {
                byWindow.computeIfAbsent(window, ignored -> new Parts()).add(row.metrics(), Metrics.EMPTY);
                batchUsed++;
            }
        }
        int speedUsed = 0;
        for (SealedSpeedRows.Rolled sealed : speedRows.sealed()) {
            byWindow.computeIfAbsent(sealed.window(), ignored -> new Parts()).add(Metrics.EMPTY, sealed.metrics());
            speedUsed += sealed.rows();
        }
        int superseded = 0;
        for (SpeedDelta delta : speedRows.rows()) {
            if (cutoff != null && delta.ingestBucket().isBefore(cutoff)) {
                superseded++;
                continue;
            }
            EventWindow window = delta.key().window().rollUp(range.granularity());
            if (range.contains(window) && delta.key().productId().equals(productId)) {
                byWindow.computeIfAbsent(window, ignored -> new Parts()).add(Metrics.EMPTY, delta.metrics());
                speedUsed++;
            }
        }
        List<MergedWindow> windows = new ArrayList<>(byWindow.size());
        byWindow.forEach((window, parts) -> {
            MergedWindow merged = new MergedWindow(window, parts.batch(), parts.speed());
            // The count alone says whether the window has events: its sketches are merged once, when the answer is written.
            if (merged.fromBatch().eventCount() + merged.fromSpeed().eventCount() != 0) {
                windows.add(merged);
            }
        });
        return new ProductMerge(productId, windows, batchUsed, speedUsed, superseded);
    }

    /**
     * The platform's state read afresh, not from the shared state: {@code /v1/status} shows the store as it is now, and
     * the answers that follow it use this state or a later one ({@link ViewStateCache#readNow}).
     */
    public PlatformStatus status() {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        ViewState current = sharedState.readNow(this::readState);
        List<DeadLetterCount> deadLetters = timed("dead-letters", current.speed()::deadLetters);
        Optional<BatchBuild> build = current.pointer().flatMap(version -> timed("batch-build", () -> batch.build(version.version())));
        SpeedCoverage coverage = new SpeedCoverage(current.progress(), current.speedHoles(), now);
        return new PlatformStatus(now, current.pointer().orElse(null), build.orElse(null), coverage, deadLetters,
                gaps(coverage, current.batchHoles(), current.legacy(), current.pointer().map(BatchVersion::cutoff).orElse(null)), current.views());
    }

    /**
     * What an answer with this batch cutoff ({@code null} before the first version) cannot cover: the speed
     * layer's gaps from the cutoff on, the speed rows of an earlier release not copied yet ({@code legacy} empty:
     * everything from the cutoff to now; else what lies before where the copy started), and the part below the
     * cutoff of every hole the batch layer accepted (records deleted from the log before it archived them: missing
     * from every batch view, forever).
     */
    static List<IngestGap> gaps(SpeedCoverage coverage, List<IngestHole> batchHoles, Optional<LegacyRowsCopy> legacy, Instant cutoff) {
        Instant needed = cutoff == null ? Instant.EPOCH : cutoff;
        List<IngestGap> gaps = new ArrayList<>(coverage.gapsFrom(needed));
        if (legacy.isEmpty() && needed.isBefore(coverage.now())) {
            gaps.add(new IngestGap(needed, coverage.now(), "the speed rows the previous release wrote are not copied yet: the speed"
                    + " layer of this release copies them when it starts (docs/operations.md, \"Upgrading\")"));
        }
        else if (legacy.isPresent() && needed.isBefore(legacy.get().copiedFrom())) {
            gaps.add(new IngestGap(needed, legacy.get().copiedFrom(), "the speed rows the previous release wrote for events ingested"
                    + " before " + legacy.get().copiedFrom() + " were not copied at the upgrade"));
        }
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

    /**
     * Product ids with data in the current batch version or the speed rows that start with {@code prefix}, sorted: the
     * first {@code limit} of each layer (a slice of a sorted partition, no scan), merged.
     */
    public List<String> products(String prefix, int limit) {
        requireNonNull(prefix, "prefix is null");
        ViewState shared = sharedState();
        List<String> speedProducts = timed("speed-products", () -> shared.speed().products(prefix, limit));
        Set<String> found = new TreeSet<>(speedProducts);
        shared.pointer().ifPresent(version -> found.addAll(timed("batch-products", () -> batch.products(version.version(), prefix, limit))));
        return found.stream().limit(limit).toList();
    }

    private Set<String> allProducts(SpeedViews speed, Optional<BatchVersion> pointer) {
        Set<String> all = new TreeSet<>(timed("speed-products", () -> speed.products()));
        pointer.ifPresent(version -> all.addAll(timed("batch-products", () -> batch.products(version.version()))));
        return all;
    }

    private List<String> products(SpeedViews speed, Optional<BatchVersion> pointer, int maxProducts) {
        Set<String> all = allProducts(speed, pointer);
        if (all.size() > maxProducts) {
            throw new TooManyProductsException(all.size(), maxProducts);
        }
        return List.copyOf(all);
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

    /**
     * The batch and speed parts of one window (or product) while they are collected, merged once at the end
     * ({@link Metrics#mergeAll}): merged part by part, every step would copy the growing sketches.
     */
    private static final class Parts {
        private final List<Metrics> batch = new ArrayList<>(1);
        private final List<Metrics> speed = new ArrayList<>();

        void add(Metrics fromBatch, Metrics fromSpeed) {
            if (!fromBatch.isEmpty()) {
                batch.add(fromBatch);
            }
            if (!fromSpeed.isEmpty()) {
                speed.add(fromSpeed);
            }
        }

        Metrics batch() {
            return Metrics.mergeAll(batch);
        }

        Metrics speed() {
            return Metrics.mergeAll(speed);
        }
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
