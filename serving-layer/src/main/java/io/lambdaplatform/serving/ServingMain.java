package io.lambdaplatform.serving;

import picocli.CommandLine.Mixin;
import io.lambdaplatform.model.cli.Entrypoint;
import io.lambdaplatform.model.cli.ConfigSourceOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code serve}: runs the serving layer until SIGTERM or Ctrl-C. Configuration as for every
 * deployable: {@code LAMBDA_*} environment variables over {@code --config FILE} over the
 * {@code endpoints.json} of {@code --stack DIR} over the defaults.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Answers exact merged metrics over HTTP and serves the dashboard.")
public final class ServingMain implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(ServingMain.class);

    @Mixin
    private ConfigSourceOptions source;

    @Option(names = "--http-port", paramLabel = "PORT", description = "Overrides lambda.serving.port (0: a free port).")
    private Integer httpPort;

    @Option(names = "--host", paramLabel = "ADDRESS", description = "Overrides lambda.serving.host (default 127.0.0.1).")
    private String host;

    public static void main(String[] args) {
        Entrypoint.run(new ServingMain(), args);
    }

    @Override
    public Integer call() throws InterruptedException {
        ServingConfig config = ServingConfig.from(source.load());
        if (httpPort != null) {
            config = config.withPort(httpPort);
        }
        if (host != null) {
            config = config.withHost(host);
        }
        LOG.info("Starting with {}", config);
        CassandraViewSource source = CassandraViewSource.connect(config);
        ServingServer server;
        try {
            server = ServingServer.start(config, source, Clock.systemUTC());
        }
        catch (RuntimeException e) {
            source.close();
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("Stopping the serving layer");
            server.close();
            source.close();
            stopped.countDown();
        }, "serving-shutdown"));
        // User-facing: where to point a browser.
        System.out.println("Dashboard: http://" + config.host() + ":" + server.port() + "/");
        stopped.await();
        return Entrypoint.OK;
    }
}
