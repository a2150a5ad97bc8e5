package io.lambdaplatform.speed.bench;

import io.lambdaplatform.model.cli.ConfigSourceOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * A serving layer started with {@code ./lambda serve} for the freshness measurement, reading the benchmark's
 * keyspace and topic (through {@code LAMBDA_*} overrides). Closing it stops the process (SIGTERM, then kill).
 */
final class ServingProcess implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofMinutes(2);

    private static final Logger LOG = LoggerFactory.getLogger(ServingProcess.class);

    private final Process process;
    private final URI url;
    private final Path log;

    private ServingProcess(Process process, URI url, Path log) {
        this.process = requireNonNull(process, "process is null");
        this.url = requireNonNull(url, "url is null");
        this.log = requireNonNull(log, "log is null");
    }

    static ServingProcess start(Path lambdaScript, ConfigSourceOptions source, String topic, Path workDir) throws IOException, InterruptedException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        List<String> command = new ArrayList<>(List.of(lambdaScript.toString(), "serve", "--http-port", Integer.toString(port)));
        if (source.stackDir() != null) {
            command.addAll(List.of("--stack", source.stackDir().toString()));
        }
        if (source.configFile() != null) {
            command.addAll(List.of("--config", source.configFile().toString()));
        }
        Path log = workDir.resolve("serving.log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        // JVM options meant for the benchmark (a flight recording, say) are not the serving layer's.
        builder.environment().remove("LAMBDA_JAVA_OPTS");
        builder.environment().put("LAMBDA_CASSANDRA_KEYSPACE", SpeedBenchmarkMain.KEYSPACE);
        builder.environment().put("LAMBDA_KAFKA_EVENTS__TOPIC", topic);
        builder.environment().put("LAMBDA_KAFKA_DEAD__LETTER__TOPIC", topic + ".dlq");
        ServingProcess serving = new ServingProcess(builder.start(), URI.create("http://127.0.0.1:" + port + "/"), log);
        try {
            serving.awaitReady();
        }
        catch (IOException | RuntimeException | InterruptedException e) {
            serving.close();
            throw e;
        }
        LOG.info("Serving layer on {} (log: {})", serving.url, log);
        return serving;
    }

    URI url() {
        return url;
    }

    private void awaitReady() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI ready = url.resolve("/health/ready");
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("The serving layer exited with " + process.exitValue() + "; its log:\n" + Files.readString(log));
            }
            try {
                if (http.send(HttpRequest.newBuilder(ready).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            }
            catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IOException("The serving layer did not answer " + ready + " within " + READY_TIMEOUT + "; its log: " + log);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor();
        }
    }
}
