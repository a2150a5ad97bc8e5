package io.lambdaplatform.serving;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.ContentType;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import io.lambdaplatform.model.HealthStatus;
import io.lambdaplatform.serving.internal.BearerToken;
import io.lambdaplatform.serving.internal.JsonBodies;
import io.lambdaplatform.serving.internal.JsonBodies.ErrorBody;
import io.lambdaplatform.serving.internal.JsonErrorHandler;
import io.lambdaplatform.serving.internal.RequestMeters;
import io.lambdaplatform.viewstore.ViewStoreException;
import io.lambdaplatform.viewstore.ViewStoreUnavailableException;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * The HTTP service: the metrics API, status, health, Prometheus metrics, the OpenAPI document and the
 * dashboard, over a {@link ViewSource}. Stateless: any number of instances can run behind a load
 * balancer.
 */
public final class ServingServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ServingServer.class);
    private static final Pattern PRODUCT_PREFIX = Pattern.compile("[A-Za-z0-9._:-]{0,128}");
    private static final int DEFAULT_SUGGESTIONS = 20;
    /** Products one request across products reads at most (two row ranges each); more is answered 422. */
    static final int MAX_PRODUCTS_PER_REQUEST = 1_000;
    /** The most products one {@code GET /v1/metrics?product=…} names: each is one product's reads, a few at a time. */
    static final int MAX_PRODUCTS_PER_METRICS = 50;
    private static final int DEFAULT_TOP = 10;
    private static final int MAX_TOP = 100;
    private static final String DEFAULT_TOP_GRANULARITY = "1h";
    private static final String OPENAPI_RESOURCE = "/openapi.json";
    /** A metrics request over more windows than this (a week at 5m) is heavy, like every request across products. */
    static final long HEAVY_WINDOWS = 2016;
    /**
     * Before each of its steps (a read, a product's merge, its JSON), a heavy request waits this long at most while light
     * requests are in flight ({@link RequestLanes}); one that waits longer than the Cassandra request timeout for its turn
     * is answered 503.
     */
    static final Duration HEAVY_STEP_PATIENCE = Duration.ofMillis(25);
    /** A heavy request reads one product (its batch and its speed read) at a time, so each of its steps is small. */
    private static final int HEAVY_READS_PER_REQUEST = 2;
    /** Threads that compute the answers to a new shared state while the answers to the state before stand in. */
    private static final int ANSWER_REFRESH_THREADS = 2;
    /** Scripts and styles only from this origin: the dashboard works offline and loads nothing from a CDN. */
    private static final String CONTENT_SECURITY_POLICY =
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'";

    private final ServingConfig config;
    private final ViewSource source;
    private final Clock clock;
    private final PrometheusMeterRegistry meters;
    private final RequestMeters requestMeters;
    private final BearerToken token;
    private final byte[] openApi;
    private final ExecutorService storeReads;
    private final ExecutorService answerRefreshes;
    private final BatchRowCache batchRows;
    private final SealedSpeedRows speedRows;
    private final ViewStateCache sharedState;
    private final RequestLanes lanes;
    private final AnswerCache answers;
    private final AtomicBoolean storeAvailable = new AtomicBoolean(true);
    private final ObjectMapper json = JsonBodies.mapper();
    private final Javalin app;

    private ServingServer(ServingConfig config, ViewSource source, Clock clock) {
        this.config = requireNonNull(config, "config is null");
        this.source = requireNonNull(source, "source is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        this.requestMeters = new RequestMeters(meters);
        this.token = config.token().map(BearerToken::new).orElse(null);
        this.openApi = resource(OPENAPI_RESOURCE);
        // Every Cassandra read of a request runs here, one query at a time per task: the threads bound the service's reads in flight.
        this.storeReads = Executors.newFixedThreadPool(config.reads().perService(), daemonThreads("store-read-"));
        // New answers computed while the ones before stand in: a few at a time, not one thread per question.
        this.answerRefreshes = Executors.newFixedThreadPool(ANSWER_REFRESH_THREADS, daemonThreads("answer-refresh-"));
        this.batchRows = new BatchRowCache(config.reads().batchCacheMaxBytes()).bindTo(meters);
        this.speedRows = new SealedSpeedRows(config.reads().speedCacheMaxBytes(), config.reads().ingestBuckets()).bindTo(meters);
        this.sharedState = new ViewStateCache(config.reads().stateMaxAge());
        this.lanes = new RequestLanes(storeReads, config.cassandra().requestTimeout(), HEAVY_STEP_PATIENCE, meters);
        this.answers = new AnswerCache(config.reads().answerCacheMaxBytes(), config.reads().stateMaxAge(), answerRefreshes, meters);
        this.app = Javalin.create(javalin -> {
            javalin.startup.showJavalinBanner = false;
            javalin.startup.showOldJavalinVersionWarning = false;
            javalin.jsonMapper(new JavalinJackson(json, false));
            javalin.jetty.host = config.host();
            javalin.jetty.port = config.port();
            javalin.jetty.modifyServer(jetty -> jetty.setErrorHandler(new JsonErrorHandler()));
            javalin.jetty.modifyServletContextHandler(context -> context.setErrorHandler(new JsonErrorHandler()));
            javalin.staticFiles.add(files -> {
                files.hostedPath = "/";
                files.directory = "/dashboard";
                files.location = Location.CLASSPATH;
                files.headers = Map.of("Cache-Control", "no-cache");
            });
            javalin.staticFiles.enableWebjars();
            javalin.requestLogger.http(requestMeters::record);
            javalin.router.javaLangErrorHandler(this::fatal);

            javalin.routes.before(ctx -> {
                ctx.header("X-Content-Type-Options", "nosniff");
                ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
            });
            javalin.routes.before("/v1/*", this::authorize);
            javalin.routes.get("/v1/metrics/{product_id}", this::metrics);
            javalin.routes.get("/v1/metrics", this::metricsOfProducts);
            javalin.routes.get("/v1/status", this::status);
            javalin.routes.get("/v1/products", this::products);
            javalin.routes.get("/v1/totals", this::totals);
            javalin.routes.get("/v1/top", this::top);
            javalin.routes.get("/health/live", ctx -> ctx.json(HealthStatus.live().body()));
            javalin.routes.get("/health/ready", this::ready);
            javalin.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(meters.scrape()));
            javalin.routes.get(OPENAPI_RESOURCE, ctx -> ctx.contentType("application/json").result(openApi));
            javalin.routes.get("/dashboard/settings", ctx -> ctx.json(new JsonBodies.SettingsBody(
                    config.dashboardRefresh().toMillis(), token != null, config.maxWindows())));

            javalin.routes.exception(InvalidQueryException.class, this::invalidQuery);
            javalin.routes.exception(ViewStoreUnavailableException.class, this::unavailable);
            javalin.routes.exception(TooManyProductsException.class, this::tooManyProducts);
            javalin.routes.exception(HttpResponseException.class, this::httpError);
            javalin.routes.exception(Exception.class, this::unexpected);
        });
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Starts listening; the port is {@link #port()} (useful with port 0). */
    public static ServingServer start(ServingConfig config, ViewSource source, Clock clock) {
        ServingServer server = new ServingServer(config, source, clock);
        server.app.start();
        LOG.info("Serving layer listening on http://{}:{}/ ({})", config.host(), server.port(),
                config.token().isPresent() ? "/v1 requires a bearer token" : "/v1 open, no token configured");
        return server;
    }

    public int port() {
        return app.port();
    }

    /** The registry behind {@code /metrics}. */
    public PrometheusMeterRegistry meters() {
        return meters;
    }

    @Override
    public void close() {
        app.stop();
        answerRefreshes.shutdownNow();
        storeReads.shutdownNow();
        meters.close();
    }

    private MergedView mergedView(Executor reads) {
        return new MergedView(source.views(), config.mode(), batchRows, speedRows, sharedState, config.reads().perRequest(), clock, meters, reads);
    }

    /** A heavy request's view: one product's two reads at a time, giving way to light requests before each read and merge. */
    private MergedView heavyView(RequestLanes.Turn turn) {
        return new MergedView(source.views(), config.mode(), batchRows, speedRows, sharedState, HEAVY_READS_PER_REQUEST, clock, meters, turn.reads())
                .beforeEachMerge(turn.giveWay());
    }

    private void metrics(Context ctx) {
        MetricsQuery query = MetricsQuery.parse(ctx.pathParam("product_id"), ctx.queryParam("from"), ctx.queryParam("to"),
                ctx.queryParam("granularity"), config.maxWindows());
        Quantiles quantiles = Quantiles.parse(ctx.queryParam("quantiles"));
        answer(ctx, inLane(query.range().windowCount() > HEAVY_WINDOWS, List.of("metrics", query, quantiles.ranks()), view -> view.answer(query),
                answer -> JsonBodies.metrics(answer, quantiles)));
    }

    /** {@code GET /v1/metrics?product=a&product=b&from&to&granularity}: several products' windows in one answer. */
    private void metricsOfProducts(Context ctx) {
        List<String> products = MetricsQuery.parseProducts(ctx.queryParams("product"), MAX_PRODUCTS_PER_METRICS);
        WindowRange range = WindowRange.parse(ctx.queryParam("from"), ctx.queryParam("to"), ctx.queryParam("granularity"), config.maxWindows());
        Quantiles quantiles = Quantiles.parse(ctx.queryParam("quantiles"));
        answer(ctx, inLane(products.size() * range.windowCount() > HEAVY_WINDOWS, List.of("metrics", products, range, quantiles.ranks()),
                view -> view.answer(products, range),
                answer -> JsonBodies.metrics(answer, quantiles)));
    }

    private void totals(Context ctx) {
        WindowRange range = WindowRange.parse(ctx.queryParam("from"), ctx.queryParam("to"), ctx.queryParam("granularity"), config.maxWindows());
        Quantiles quantiles = Quantiles.parse(ctx.queryParam("quantiles"));
        answer(ctx, inLane(true, List.of("totals", range, quantiles.ranks()), view -> view.acrossProducts(range, MAX_PRODUCTS_PER_REQUEST),
                answer -> JsonBodies.totals(answer, quantiles)));
    }

    private void top(Context ctx) {
        String granularity = ctx.queryParam("granularity") == null ? DEFAULT_TOP_GRANULARITY : ctx.queryParam("granularity");
        WindowRange range = WindowRange.parse(ctx.queryParam("from"), ctx.queryParam("to"), granularity, config.maxWindows());
        CrossProductAnswer.Measure by = CrossProductAnswer.Measure.parse(ctx.queryParam("by"));
        int limit = limit(ctx.queryParam("limit"), DEFAULT_TOP, MAX_TOP);
        Quantiles quantiles = Quantiles.parse(ctx.queryParam("quantiles"));
        answer(ctx, inLane(true, List.of("top", range, by, limit, quantiles.ranks()), view -> view.acrossProducts(range, MAX_PRODUCTS_PER_REQUEST),
                answer -> JsonBodies.top(answer, by, limit, quantiles)));
    }

    /**
     * An answer's JSON body: the one already computed for the same question under the current shared state
     * ({@link AnswerCache}), or read from the merged view and written in the light or the heavy lane
     * ({@link RequestLanes}): a heavy request's reads and its JSON give way to light requests.
     *
     * @param question the endpoint and every parameter that changes the answer
     */
    private <A> byte[] inLane(boolean heavy, List<Object> question, Function<MergedView, A> read, Function<A, Object> body) {
        byte[] bytes;
        if (answers.enabled()) {
            ViewState state = mergedView(storeReads).sharedState();
            bytes = answers.answer(state, sharedState.replacedBy(state), question, () -> inLane(heavy, view -> read.apply(view.at(state)), body));
        }
        else {
            bytes = inLane(heavy, read, body);
        }
        storeAnswered();
        return bytes;
    }

    private <A> byte[] inLane(boolean heavy, Function<MergedView, A> read, Function<A, Object> body) {
        return heavy
                ? lanes.heavy(turn -> read.apply(heavyView(turn)), answer -> json(body.apply(answer)))
                : lanes.light(() -> json(body.apply(read.apply(mergedView(storeReads)))));
    }

    /**
     * Writes an answer's JSON as UTF-8 bytes straight from Jackson: {@code ctx.json} writes a String first and then
     * encodes it, a second pass over answers of tens of kilobytes.
     */
    private byte[] json(Object body) {
        try {
            return json.writeValueAsBytes(body);
        }
        catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write the answer as JSON", e);
        }
    }

    private static void answer(Context ctx, byte[] body) {
        ctx.header("Cache-Control", "no-store").contentType(ContentType.APPLICATION_JSON).result(body);
    }

    private void status(Context ctx) {
        byte[] body = inLane(false, MergedView::status, JsonBodies::status);
        storeAnswered();
        answer(ctx, body);
    }

    private void products(Context ctx) {
        String prefix = ctx.queryParam("prefix") == null ? "" : ctx.queryParam("prefix");
        if (!PRODUCT_PREFIX.matcher(prefix).matches()) {
            throw new InvalidQueryException("prefix", "at most 128 of the characters a product id may have (letters, digits, . _ : -)");
        }
        int limit = limit(ctx.queryParam("limit"), Math.min(DEFAULT_SUGGESTIONS, config.maxSuggestions()), config.maxSuggestions());
        var products = lanes.light(() -> mergedView(storeReads).products(prefix, limit));
        storeAnswered();
        ctx.header("Cache-Control", "no-store").json(new JsonBodies.ProductsBody(prefix, products));
    }

    private static int limit(String text, int defaultLimit, int maxLimit) {
        if (text == null || text.isEmpty()) {
            return defaultLimit;
        }
        try {
            int limit = Integer.parseInt(text);
            if (limit >= 1 && limit <= maxLimit) {
                return limit;
            }
        }
        catch (NumberFormatException e) {
            // answered below, the same as an out-of-range number
        }
        throw new InvalidQueryException("limit", "must be a whole number from 1 to " + maxLimit + ": '" + MetricsQuery.abbreviate(text) + "'");
    }

    private void ready(Context ctx) {
        try {
            ViewSource.Views views = source.views();
            views.batch().current();
            views.speed().progress();
            storeAnswered();
            ctx.json(new HealthStatus(true, Map.of("cassandra", HealthStatus.UP)).body());
        }
        catch (ViewStoreException e) {
            storeFailed(e);
            ctx.status(503).header("Retry-After", retryAfterSeconds()).json(new HealthStatus(false, Map.of("cassandra", HealthStatus.DOWN)).body());
        }
    }

    private void authorize(Context ctx) {
        if (token != null && !token.accepts(ctx.header("Authorization"))) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"lambda\"");
            ctx.status(401).json(new ErrorBody("unauthorized", null, "this API needs an Authorization: Bearer <token> header"));
            ctx.skipRemainingHandlers();
        }
    }

    private void invalidQuery(InvalidQueryException e, Context ctx) {
        requestMeters.rejected(e.parameter());
        ctx.status(400).json(new ErrorBody("invalid_parameter", e.parameter(), e.problem()));
    }

    private void unavailable(ViewStoreUnavailableException e, Context ctx) {
        storeFailed(e);
        ctx.status(503).header("Retry-After", retryAfterSeconds())
                .json(new ErrorBody("unavailable", null, "the view store (Cassandra) is unavailable; retry later"));
    }

    private void tooManyProducts(TooManyProductsException e, Context ctx) {
        ctx.status(422).json(new ErrorBody("too_many_products", null, e.getMessage() + "; ask per product with /v1/metrics/{product_id}"));
    }

    private void httpError(HttpResponseException e, Context ctx) {
        int status = e.getStatus();
        String code = switch (status) {
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            default -> status >= 500 ? "internal" : "bad_request";
        };
        String message = status == 404 ? "no such resource: " + ctx.method().name() + " " + MetricsQuery.abbreviate(ctx.path())
                : "request refused (HTTP " + status + ")";
        ctx.status(status).json(new ErrorBody(code, null, message));
    }

    private void unexpected(Exception e, Context ctx) {
        String reference = UUID.randomUUID().toString().substring(0, 8);
        LOG.error("Request {} {} failed (reference {})", ctx.method().name(), ctx.path(), reference, e);
        ctx.status(500).json(new ErrorBody("internal", null, "internal error; the server log has the details under reference " + reference));
    }

    /** An Error (not an Exception) escaped a handler: still a JSON 500 without details. */
    private void fatal(HttpServletResponse response, Error error) {
        String reference = UUID.randomUUID().toString().substring(0, 8);
        LOG.error("Request failed with an error (reference {})", reference, error);
        response.setStatus(500);
        response.setContentType("application/json");
        try {
            response.getWriter().write("{\"error\":\"internal\",\"message\":\"internal error; the server log has the details under reference "
                    + reference + "\"}");
        }
        catch (IOException e) {
            LOG.debug("Could not write the error response (reference {})", reference, e);
        }
    }

    private void storeAnswered() {
        if (storeAvailable.compareAndSet(false, true)) {
            LOG.info("The view store answers again");
        }
    }

    private void storeFailed(ViewStoreException e) {
        if (storeAvailable.compareAndSet(true, false)) {
            LOG.warn("The view store is unavailable; answering 503 until it is back: {}", e.getMessage());
        }
        else {
            LOG.debug("View store still unavailable: {}", e.getMessage());
        }
    }

    private String retryAfterSeconds() {
        return Long.toString(Math.max(1, config.retryAfter().toSeconds()));
    }

    private static byte[] resource(String name) {
        try (InputStream in = ServingServer.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("Resource " + name + " is missing from the jar");
            }
            return in.readAllBytes();
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot read resource " + name, e);
        }
    }
}
