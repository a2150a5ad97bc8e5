package io.lambdaplatform.it.layers;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ./lambda local} as a user runs it: a process of its own with its own stack, answering on the dashboard's
 * port once it prints its ready block, with live numbers from the generator; SIGTERM stops it and every process
 * it started.
 */
class LocalPlatformIT {

    private static final Duration START_TIMEOUT = Duration.ofMinutes(5);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void startsAnswersWithLiveNumbersAndLeavesNoProcessBehindAfterSigterm() throws Exception {
        Path dataDir = Files.createDirectories(Path.of("target", "it-local")).toAbsolutePath().resolve("run-" + System.currentTimeMillis());
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        LayerProcess local = LayerProcess.start("local", List.of("local", "--data-dir", dataDir.toString(), "--http-port", Integer.toString(port),
                "--rate", "20", "--first-batch-after", "1h"), Map.of(), dataDir.resolveSibling(dataDir.getFileName() + ".console.log"));
        try {
            Instant deadline = Instant.now().plus(START_TIMEOUT);
            while (!local.logText().contains("Lambda Platform is up")) {
                assertThat(local.isAlive()).as("./lambda local alive; console:\n%s", local.logTail()).isTrue();
                assertThat(Instant.now()).as("ready block within %s; console:\n%s", START_TIMEOUT, local.logTail()).isBefore(deadline);
                Thread.sleep(500);
            }
            assertThat(local.logText()).contains("dashboard  http://127.0.0.1:" + port + "/", "stop       Ctrl-C");
            assertThat(get(port, "/v1/status").statusCode()).isEqualTo(200);

            Instant now = Instant.now().truncatedTo(ChronoUnit.HOURS);
            String query = "/v1/metrics/p-0000?from=" + now.minus(Duration.ofDays(3)) + "&to=" + now.plus(Duration.ofHours(1)) + "&granularity=1d";
            Instant liveBy = Instant.now().plus(Duration.ofMinutes(2));
            HttpResponse<String> metrics = get(port, query);
            while (!metrics.body().contains("\"event_count\"")) {
                assertThat(Instant.now()).as("live numbers for p-0000: %s", metrics.body()).isBefore(liveBy);
                Thread.sleep(1_000);
                metrics = get(port, query);
            }
            assertThat(metrics.statusCode()).isEqualTo(200);

            List<ProcessHandle> children = ProcessHandle.of(local.pid()).orElseThrow().descendants().toList();
            assertThat(children).as("servers, speed, serving and generator").hasSizeGreaterThanOrEqualTo(6);

            int exitCode = local.stop(Duration.ofMinutes(2));
            assertThat(exitCode).as("exit code after SIGTERM").isIn(0, 143);
            for (ProcessHandle child : children) {
                child.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(child.isAlive()).as("child %s %s", child.pid(), child.info().commandLine().orElse("")).isFalse();
            }
            assertThat(Files.readString(dataDir.resolve("logs").resolve("launcher.log"))).contains("Platform stopped in");
        }
        finally {
            local.close();
        }
    }

    private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
