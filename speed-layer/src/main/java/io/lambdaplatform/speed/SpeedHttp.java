package io.lambdaplatform.speed;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.lambdaplatform.model.HealthStatus;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.util.Map;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/** {@code /health/live}, {@code /health/ready} and {@code /metrics} (Prometheus) of the speed layer. */
public final class SpeedHttp implements AutoCloseable {

    /** What readiness is judged on. */
    public record Readiness(String streamsState, boolean streamsRunning, boolean cassandraAnswers) {
        public Readiness {
            requireNonNull(streamsState, "streamsState is null");
        }

        public boolean ready() {
            return streamsRunning && cassandraAnswers;
        }
    }

    private final Javalin server;

    private SpeedHttp(Javalin server) {
        this.server = server;
    }

    public static SpeedHttp start(String host, int port, PrometheusMeterRegistry registry, Supplier<Readiness> readiness) {
        Javalin server = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.jetty.host = host;
            config.jetty.port = port;
            config.routes.get("/health/live", ctx -> ctx.json(HealthStatus.live().body()));
            config.routes.get("/health/ready", ctx -> ready(ctx, readiness.get()));
            config.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(registry.scrape()));
        });
        server.start();
        return new SpeedHttp(server);
    }

    public int port() {
        return server.port();
    }

    private static void ready(Context ctx, Readiness readiness) {
        HealthStatus health = new HealthStatus(readiness.ready(),
                Map.of("kafka_streams", readiness.streamsState(), "cassandra", HealthStatus.state(readiness.cassandraAnswers())));
        ctx.status(readiness.ready() ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).json(health.body());
    }

    @Override
    public void close() {
        server.stop();
    }
}
