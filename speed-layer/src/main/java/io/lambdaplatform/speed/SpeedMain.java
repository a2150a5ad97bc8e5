package io.lambdaplatform.speed;

import picocli.CommandLine.Mixin;
import io.lambdaplatform.model.cli.Entrypoint;
import io.lambdaplatform.model.config.PlatformMode;
import io.lambdaplatform.model.cli.ConfigSourceOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code speed --stack DIR | --config FILE [--http-port P] [--state-dir DIR]}: runs the speed layer
 * until SIGTERM or Ctrl-C, then closes it cleanly (pending writes are flushed, the last commit made).
 */
@Command(name = "speed", mixinStandardHelpOptions = true, version = "speed layer 0.1.0",
        description = "Runs the speed layer: Kafka Streams over the events topic, real-time views in Cassandra.")
public final class SpeedMain implements Callable<Integer> {

    private static final String LOGBACK_CONFIG = "logback.configurationFile";

    @Mixin
    private ConfigSourceOptions source;

    @Option(names = "--http-port", paramLabel = "P", description = "Port of /health and /metrics (default lambda.speed.http.port, 0: a free one, printed at start).")
    private Integer httpPort;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "Kafka Streams state directory (default lambda.speed.state-dir, or a fresh DIR/speed-state/instance-<pid>-<id> per instance with --stack, removed at a clean exit).")
    private Path stateDir;

    public static void main(String[] args) {
        if (System.getProperty(LOGBACK_CONFIG) == null) {
            System.setProperty(LOGBACK_CONFIG, "speed-logback.xml");
        }
        Entrypoint.run(new SpeedMain(), args);
    }

    @Override
    public Integer call() throws InterruptedException {
        SpeedConfig config = SpeedConfig.from(source.load(), source.stackDir());
        if (httpPort != null) {
            config = config.withHttpPort(httpPort);
        }
        if (stateDir != null) {
            config = config.withStateDir(stateDir);
        }
        if (config.mode() == PlatformMode.KAPPA) {
            return followViewSets(config);
        }
        SpeedApp app = SpeedApp.start(config);
        Thread shutdown = new Thread(app::close, "speed-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdown);
        System.out.println("Speed layer running: reading " + config.kafka().eventsTopic() + ", health on http://" + config.httpHost() + ":"
                + app.httpPort() + "/health/ready; Ctrl-C stops it.");
        boolean failed = app.awaitStop();
        if (failed) {
            Runtime.getRuntime().removeShutdownHook(shutdown);
            app.close();
            System.err.println("Speed layer stopped: Kafka Streams failed (see the log above).");
            return Entrypoint.FAILED;
        }
        return Entrypoint.OK;
    }

    /** Kappa mode: builds the set of views readers use, and the next one after every replay's switch. */
    private static Integer followViewSets(SpeedConfig config) throws InterruptedException {
        ViewSetFollower follower = ViewSetFollower.connect(config);
        Thread shutdown = new Thread(follower::close, "speed-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdown);
        System.out.println("Speed layer running in Kappa mode: reading " + config.kafka().eventsTopic()
                + " into the set of views readers use, following every switch; Ctrl-C stops it.");
        boolean failed = follower.run();
        if (failed) {
            Runtime.getRuntime().removeShutdownHook(shutdown);
            follower.close();
            System.err.println("Speed layer stopped: Kafka Streams failed (see the log above).");
            return Entrypoint.FAILED;
        }
        return Entrypoint.OK;
    }
}
