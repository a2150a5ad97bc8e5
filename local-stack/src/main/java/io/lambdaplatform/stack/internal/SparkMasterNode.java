package io.lambdaplatform.stack.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lambdaplatform.stack.StackStartException;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * The Spark standalone master ({@code org.apache.spark.deploy.master.Master}) on 127.0.0.1, from the generated
 * {@link SparkHome}. It is ready when its web UI's {@code /json/} says {@code ALIVE}.
 */
public final class SparkMasterNode implements ServerNode {
    public static final String NAME = "spark-master";
    private static final String HEAP = "256m";
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(HTTP_TIMEOUT).build();

    private final Path dataDir;
    private final SparkHome home;
    private final int port;
    private final int webUiPort;

    public SparkMasterNode(Path dataDir, SparkHome home, int port, int webUiPort) {
        this.dataDir = requireNonNull(dataDir, "dataDir is null");
        this.home = requireNonNull(home, "home is null");
        this.port = port;
        this.webUiPort = webUiPort;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** {@code spark://127.0.0.1:P}, what workers and {@code spark-submit --master} take. */
    public String url() {
        return "spark://" + LoopbackPorts.HOST + ":" + port;
    }

    /** The web UI, whose {@code /json/} describes the master and its workers. */
    public String webUi() {
        return "http://" + LoopbackPorts.HOST + ":" + webUiPort;
    }

    @Override
    public ChildJvm launch() {
        home.generate();
        // No REST submission server: it would take the fixed port 6066, and spark-submit in client mode needs only the master's port.
        List<String> jvmOptions = Stream.concat(jvmOptions(home, dataDir, NAME).stream(), Stream.of("-Dspark.master.rest.enabled=false")).toList();
        return ChildJvm.start(new ChildJvmSpec(NAME, home.jars(), jvmOptions, "org.apache.spark.deploy.master.Master",
                List.of("--host", LoopbackPorts.HOST, "--port", Integer.toString(port), "--webui-port", Integer.toString(webUiPort)),
                dataDir.resolve("logs").resolve(NAME + ".log"), home.environment()));
    }

    @Override
    public void awaitReady(ChildJvm jvm, Instant deadline) {
        Readiness.awaitPort(jvm, deadline, port);
        Readiness.await(jvm, deadline, "the Spark master at " + url() + " is ALIVE", () -> {
            JsonNode state = state();
            if (!"ALIVE".equals(state.path("status").asText())) {
                throw new StackStartException("The Spark master's status is " + state.path("status"));
            }
            return null;
        });
        jvm.markAcceptingClients();
    }

    /** The master's {@code /json/}: {@code status}, {@code aliveworkers}, {@code workers[]} with {@code state}, {@code port} and {@code webuiaddress}. */
    public JsonNode state() throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(webUi() + "/json/")).timeout(HTTP_TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + webUi() + "/json/ answered " + response.statusCode());
        }
        return JSON.readTree(response.body());
    }

    static List<String> jvmOptions(SparkHome home, Path dataDir, String name) {
        return Stream.concat(
                Stream.of(
                        "-Xms" + HEAP, "-Xmx" + HEAP,
                        "-XX:+ExitOnOutOfMemoryError",
                        "-Djava.net.preferIPv4Stack=true",
                        "-Dlog4j2.configurationFile=" + home.log4jConfiguration().toUri(),
                        "-Dlambda.stack.server=" + name,
                        "-Dlambda.stack.data-dir=" + dataDir),
                home.moduleOptions().stream()).toList();
    }
}
