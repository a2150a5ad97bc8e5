package io.lambdaplatform.it.layers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import java.io.IOException;
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
import static org.awaitility.Awaitility.await;

/**
 * {@code ./lambda local} as a user runs it: a process of its own with its own stack, answering on the dashboard's
 * port once it prints its ready block, with live numbers from the generator; Ctrl-C (SIGINT to its process group, as
 * a terminal sends it) stops it and every process it started, each in order and within its time.
 */
// Among the longest classes, so it starts early when classes run in parallel (integration-tests/pom.xml).
@Order(11)
class LocalPlatformIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration START_TIMEOUT = Duration.ofMinutes(5);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void startsAnswersWithLiveNumbersAndCtrlCStopsEveryProcessItStartedInOrder() throws Exception {
        int port = LayerProcess.freePort();
        Path dataDir = Path.of("target", "it-local").toAbsolutePath().resolve("run-" + System.currentTimeMillis());
        LayerProcess local = LayerProcess.local(dataDir, port, List.of("--rate", "20", "--first-batch-after", "1h"),
                START_TIMEOUT);
        try {
            assertThat(local.logText()).contains("dashboard  http://127.0.0.1:" + port + "/", "stop       Ctrl-C");
            assertThat(get(port, "/v1/status").statusCode()).isEqualTo(200);

            Instant now = Instant.now().truncatedTo(ChronoUnit.HOURS);
            String query = "/v1/metrics/p-0000?from=" + now.minus(Duration.ofDays(3)) + "&to=" + now.plus(Duration.ofHours(1)) + "&granularity=1d";
            // The generator's most frequent product has live numbers: a window with a positive count.
            await("live numbers for p-0000").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                HttpResponse<String> metrics = get(port, query);
                assertThat(metrics.statusCode()).as(metrics.body()).isEqualTo(200);
                JsonNode windows = JSON.readTree(metrics.body()).path("windows");
                long events = 0;
                for (JsonNode window : windows) {
                    events += window.path("event_count").asLong();
                }
                assertThat(events).as("events in %s", metrics.body()).isPositive();
                // A platform started minutes ago misses nothing, though no batch ran and the speed retention is a week.
                assertThat(JSON.readTree(metrics.body()).path("complete").asBoolean()).as(metrics.body()).isTrue();
            });
            JsonNode status = JSON.readTree(get(port, "/v1/status").body());
            assertThat(status.path("complete").asBoolean()).as(status.toString()).isTrue();
            assertThat(status.path("speed").path("partitions").findValuesAsText("log_begins")).as(status.toString())
                    .isNotEmpty().allSatisfy(logBegins -> assertThat(Instant.parse(logBegins)).isAfter(now.minus(Duration.ofHours(2))));

            List<ProcessHandle> children = ProcessHandle.of(local.pid()).orElseThrow().descendants().toList();
            assertThat(children).as("servers, speed, serving and generator").hasSizeGreaterThanOrEqualTo(6);

            // The terminal's SIGINT reaches every process of the group: the servers must not take it, or Kafka is gone
            // before the speed layer has committed and closed, and the launcher has to kill it after 30 s.
            int exitCode = local.interrupt(Duration.ofMinutes(2));
            assertThat(exitCode).as("exit code after Ctrl-C").isIn(0, 130);
            for (ProcessHandle child : children) {
                child.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(child.isAlive()).as("child %s %s", child.pid(), child.info().commandLine().orElse("")).isFalse();
            }
            assertThat(Files.readString(dataDir.resolve("logs").resolve("launcher.log")))
                    .contains("Platform stopped in", "cassandra stopped in", "kafka stopped in")
                    .doesNotContain("did not stop within");
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
