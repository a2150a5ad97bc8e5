package io.lambdaplatform.stack.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.lambdaplatform.stack.StackStartException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * A Spark standalone worker ({@code org.apache.spark.deploy.worker.Worker}) on 127.0.0.1 with one core and
 * {@link #EXECUTOR_MEMORY} for its executors, which it starts from the generated {@link SparkHome}. It is ready once the
 * master lists it {@code ALIVE}, known by its port: both its ports are given, for a worker left to choose its own port may
 * take the one meant for its web UI, which then moves.
 */
public final class SparkWorkerNode implements ServerNode {
    /** What each worker offers its executors. */
    public static final String EXECUTOR_MEMORY = "1g";
    public static final int CORES = 1;

    private final Path dataDir;
    private final SparkHome home;
    private final SparkMasterNode master;
    private final int number;
    private final int port;
    private final int webUiPort;

    public SparkWorkerNode(Path dataDir, SparkHome home, SparkMasterNode master, int number, int port, int webUiPort) {
        this.dataDir = requireNonNull(dataDir, "dataDir is null");
        this.home = requireNonNull(home, "home is null");
        this.master = requireNonNull(master, "master is null");
        this.number = number;
        this.port = port;
        this.webUiPort = webUiPort;
    }

    @Override
    public String name() {
        return "spark-worker-" + number;
    }

    /** Where the worker keeps its executors' directories (their stdout and stderr included). */
    public Path workDir() {
        return dataDir.resolve("spark").resolve(name());
    }

    @Override
    public ChildJvm launch() {
        try {
            Files.createDirectories(workDir());
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot create " + workDir(), e);
        }
        return ChildJvm.start(new ChildJvmSpec(name(), home.jars(), SparkMasterNode.jvmOptions(home, dataDir, name()),
                "org.apache.spark.deploy.worker.Worker",
                List.of("--host", LoopbackPorts.HOST,
                        "--port", Integer.toString(port),
                        "--cores", Integer.toString(CORES),
                        "--memory", EXECUTOR_MEMORY,
                        "--work-dir", workDir().toString(),
                        "--webui-port", Integer.toString(webUiPort),
                        master.url()),
                dataDir.resolve("logs").resolve(name() + ".log"), home.environment()));
    }

    @Override
    public void awaitReady(ChildJvm jvm, Instant deadline) {
        Readiness.await(jvm, deadline, name() + " is ALIVE at the Spark master " + master.url(), () -> {
            for (JsonNode worker : master.state().path("workers")) {
                if ("ALIVE".equals(worker.path("state").asText()) && worker.path("port").asInt() == port) {
                    return null;
                }
            }
            throw new StackStartException("The Spark master lists no ALIVE worker at port " + port);
        });
        jvm.markAcceptingClients();
    }
}
