package io.lambdaplatform.serving.internal;

import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;

import static java.util.Objects.requireNonNull;

/**
 * Request latency by route template (never the raw path, which would make a series per product),
 * method and status, and the requests refused for bad input by parameter.
 */
public final class RequestMeters {

    private final MeterRegistry registry;

    public RequestMeters(MeterRegistry registry) {
        this.registry = requireNonNull(registry, "registry is null");
    }

    /** Called once per request after the response is complete. */
    public void record(Context ctx, float executionMillis) {
        Endpoint endpoint = ctx.endpoints().matchedHttpEndpoint();
        String route = endpoint != null ? endpoint.path : ctx.statusCode() == 404 ? "unmatched" : "static";
        Timer.builder("lambda.serving.http.requests")
                .description("HTTP request latency by route template, method and status")
                .tag("route", route)
                .tag("method", ctx.method().name())
                .tag("status", Integer.toString(ctx.statusCode()))
                .publishPercentileHistogram()
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry)
                .record(Duration.ofNanos((long) (executionMillis * 1_000_000.0)));
    }

    public void rejected(String parameter) {
        Counter.builder("lambda.serving.http.rejected")
                .description("Requests refused with 400, by the parameter at fault")
                .tag("parameter", parameter)
                .register(registry)
                .increment();
    }
}
