package io.lambdaplatform.it.serving;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.fasterxml.jackson.databind.JsonNode;
import io.lambdaplatform.it.layers.LayerProcess;
import io.lambdaplatform.it.stack.RealStack;
import io.lambdaplatform.it.stack.StackDirectory;
import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.model.IngestBuckets;
import io.lambdaplatform.stack.StackEndpoints;
import io.lambdaplatform.viewstore.CassandraLegacySpeedRows;
import io.lambdaplatform.viewstore.CassandraSettings;
import io.lambdaplatform.viewstore.LegacyRowsCopy;
import io.lambdaplatform.viewstore.LegacySpeedRows;
import io.lambdaplatform.viewstore.PartitionSpan;
import io.lambdaplatform.viewstore.SpeedDelta;
import io.lambdaplatform.viewstore.SpeedProgress;
import io.lambdaplatform.viewstore.SpeedRow;
import io.lambdaplatform.viewstore.SpeedRowsUpgrade;
import io.lambdaplatform.viewstore.ViewSchema;
import io.lambdaplatform.viewstore.ViewStoreUnavailableException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A platform upgraded from the release whose speed layer wrote {@code speed_rows} (partitioned by event-time day): its
 * rows are in that table only, the serving layer of this release reads {@code speed_rows_by_ingest}. On real Cassandra,
 * answers are short only while they say so ({@code complete: false} from the cutoff on) — also after a copy that died
 * halfway — and equal the aggregate of every event, complete, once {@code ./lambda speed} of this release started.
 */
@RealStack
class SpeedRowsUpgradeIT {

    private static final String PRODUCT = "it-upgrade-1";
    private static final int PARTITIONS = 3;

    @Test
    void answersAreShortOnlyWhileTheySaySoAndExactOnceTheNewSpeedLayerCopiedThePreviousReleasesRows(StackEndpoints endpoints) throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        Instant cutoff = now.minus(Duration.ofHours(3)).plusSeconds(7 * 60);
        Instant window = Granularity.FIVE_MINUTES.windowStart(now.minus(Duration.ofMinutes(20)));
        Instant lastBucket = now.minus(Duration.ofMinutes(9));
        EventHistory history = EventHistory.synthetic(PRODUCT, now, 30, 600)
                .add("e-late-1", PRODUCT, window.plusSeconds(10).toString(), lastBucket.plusSeconds(5).toString(), "3.10", 70);
        CassandraSettings settings = ServingFixture.settings(endpoints, endpoints.cassandraContactPoint());
        String keyspace = settings.keyspace();

        // The previous release: its speed_rows table, its rows (version 1 = offset 0 + 1), its products and progress.
        try (CqlSession session = settings.connect()) {
            session.execute("CREATE KEYSPACE " + keyspace + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
            session.execute("CREATE TABLE " + keyspace + ".speed_rows (product_id text, partition_start timestamp, window_start timestamp, "
                    + "ingest_bucket timestamp, source_partition int, correction text, event_count bigint, revenue decimal, "
                    + "duration_sum_ms varint, PRIMARY KEY ((product_id, partition_start), window_start, ingest_bucket, source_partition, "
                    + "correction)) WITH default_time_to_live = 604800");
            PreparedStatement insert = session.prepare("INSERT INTO " + keyspace + ".speed_rows (product_id, partition_start, window_start, "
                    + "ingest_bucket, source_partition, correction, event_count, revenue, duration_sum_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    + "USING TTL 604800 AND TIMESTAMP ?");
            for (SpeedDelta delta : history.speedRows(IngestBuckets.DEFAULT)) {
                SpeedRow row = SpeedRow.of(delta);
                Instant start = row.key().window().start();
                session.execute(insert.bind(row.key().productId(), PartitionSpan.partitionStart(Granularity.FIVE_MINUTES, start), start,
                        row.ingestBucket(), row.sourcePartition(), row.correction(), row.eventCount(), row.revenue(), row.durationSumMs(),
                        row.version()));
            }
        }
        Instant from = now.minus(Duration.ofDays(2)).truncatedTo(ChronoUnit.DAYS);
        Instant to = now.plus(Duration.ofDays(1)).truncatedTo(ChronoUnit.DAYS);
        try (ServingFixture serving = ServingFixture.start(settings)) {
            serving.session.execute("INSERT INTO " + keyspace + ".speed_products (product_id) VALUES ('" + PRODUCT + "') USING TTL 604800");
            for (int partition = 0; partition < PARTITIONS; partition++) {
                serving.speed.saveProgress(new SpeedProgress(partition, now, Instant.EPOCH, ViewSchema.DEFAULT_SPEED_RETENTION, now));
            }
            serving.publishBatch(history, cutoff);
            assertThat(serving.speed.legacyRowsCopy()).as("a keyspace with the previous release's table is not marked").isEmpty();

            assertShortAndSaysSoFromTheCutoffOn(serving, history, from, to, cutoff);

            // A copy killed halfway (the process died after 40 rows): some rows are in, no marker, still incomplete.
            LegacySpeedRows dying = dyingAfter(new CassandraLegacySpeedRows(serving.session, keyspace), 40);
            assertThatThrownBy(() -> SpeedRowsUpgrade.copyLegacyRows(dying, serving.speed, serving.batch, Clock.systemUTC()))
                    .isInstanceOf(ViewStoreUnavailableException.class);
            assertThat(serving.speed.legacyRowsCopy()).isEmpty();
            JsonNode halfway = metrics(serving, Granularity.ONE_HOUR, from, to);
            assertThat(halfway.get("complete").asBoolean()).isFalse();

            // Meanwhile this release's speed layer went on with the bucket the previous one wrote last: a higher version.
            history.add("e-late-2", PRODUCT, window.plusSeconds(20).toString(), lastBucket.plusSeconds(15).toString(), "-1.25", 30);
            SpeedDelta continued = history.speedRows(IngestBuckets.DEFAULT).stream()
                    .filter(delta -> delta.key().window().start().equals(window) && delta.ingestBucket().equals(lastBucket))
                    .findFirst().orElseThrow();
            serving.speed.write(SpeedRow.aggregate(continued.key(), lastBucket, 0, continued.metrics(), 1)).toCompletableFuture().join();

            runSpeedLayerOfThisRelease(endpoints, keyspace, serving);

            LegacyRowsCopy copy = serving.speed.legacyRowsCopy().orElseThrow();
            assertThat(copy.copiedFrom()).isEqualTo(cutoff);
            for (Granularity granularity : Granularity.values()) {
                JsonNode answer = metrics(serving, granularity, from, to);
                assertThat(answer.get("complete").asBoolean()).as("complete at %s: %s", granularity, answer.get("incomplete")).isTrue();
                assertThat(ServingFixture.windows(answer)).as("exact at %s", granularity)
                        .isEqualTo(history.expected(PRODUCT, granularity, from, to));
                assertThat(ServingFixture.sourceCount(answer, "batch")).isEqualTo(history.countIngestedBefore(cutoff));
                assertThat(ServingFixture.sourceCount(answer, "batch") + ServingFixture.sourceCount(answer, "speed")).isEqualTo(602);
            }
        }
    }

    /** Before the copy: the batch part only, and every answer says the ingest time from the cutoff on is not covered. */
    private static void assertShortAndSaysSoFromTheCutoffOn(ServingFixture serving, EventHistory history, Instant from, Instant to,
            Instant cutoff) {
        for (Granularity granularity : Granularity.values()) {
            JsonNode answer = metrics(serving, granularity, from, to);
            assertThat(ServingFixture.sourceCount(answer, "speed")).isZero();
            assertThat(ServingFixture.sourceCount(answer, "batch")).isEqualTo(history.countIngestedBefore(cutoff));
            assertThat(answer.get("complete").asBoolean()).as("complete at %s", granularity).isFalse();
            assertThat(answer.get("incomplete")).singleElement().satisfies(gap -> {
                assertThat(gap.get("from").asText()).isEqualTo(cutoff.toString());
                assertThat(gap.get("reason").asText()).contains("not copied yet");
            });
        }
        JsonNode totals = ServingFixture.json(serving.get("/v1/totals?from=" + from + "&to=" + to + "&granularity=1d"));
        assertThat(totals.get("complete").asBoolean()).isFalse();
    }

    /** {@code ./lambda speed} of this release on an empty topic of its own, until it copied the rows and reported its progress. */
    private static void runSpeedLayerOfThisRelease(StackEndpoints endpoints, String keyspace, ServingFixture serving) throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String topic = "it-upgrade-" + run;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrap()))) {
            admin.createTopics(List.of(
                    new NewTopic(topic, PARTITIONS, (short) 1).configs(Map.of("message.timestamp.type", "LogAppendTime")),
                    new NewTopic(topic + ".dlq", PARTITIONS, (short) 1))).all().get();
        }
        Path workDir = Files.createDirectories(Path.of("target", "it-speed-upgrade", run)).toAbsolutePath();
        Instant started = Instant.now();
        try (LayerProcess speed = LayerProcess.speed(StackDirectory.of(endpoints), Map.of(
                "LAMBDA_KAFKA_EVENTS__TOPIC", topic,
                "LAMBDA_KAFKA_DEAD__LETTER__TOPIC", topic + ".dlq",
                "LAMBDA_CASSANDRA_KEYSPACE", keyspace,
                "LAMBDA_SPEED_APPLICATION__ID", "it-upgrade-" + run,
                "LAMBDA_SPEED_STATE__DIR", workDir.resolve("state").toString()), workDir.resolve("speed.log"))) {
            await("the copy's marker and the progress of every partition after " + started + "; log " + speed.log())
                    .atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
                    .failFast("the speed layer exited; log " + speed.log(), () -> !speed.isAlive())
                    // A read that timed out on the shared, busy Cassandra is asked again.
                    .ignoreExceptionsInstanceOf(ViewStoreUnavailableException.class)
                    .untilAsserted(() -> {
                        assertThat(serving.speed.legacyRowsCopy()).isPresent();
                        assertThat(serving.speed.progress()).hasSize(PARTITIONS)
                                .allSatisfy(progress -> assertThat(progress.watermark()).isAfter(started));
                    });
        }
    }

    private static JsonNode metrics(ServingFixture serving, Granularity granularity, Instant from, Instant to) {
        HttpResponse<String> response = serving.get("/v1/metrics/" + PRODUCT + "?from=" + from + "&to=" + to + "&granularity=" + granularity.label());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return ServingFixture.json(response);
    }

    /** The previous release's rows, failing like a process that dies after handing over {@code rows} of them. */
    private static LegacySpeedRows dyingAfter(LegacySpeedRows legacy, int rows) {
        return new LegacySpeedRows() {
            @Override
            public boolean exists() {
                return legacy.exists();
            }

            @Override
            public void forEach(Consumer<SpeedRow> each) {
                int[] handed = {0};
                legacy.forEach(row -> {
                    if (handed[0]++ == rows) {
                        throw new ViewStoreUnavailableException("killed after " + rows + " rows", null);
                    }
                    each.accept(row);
                });
            }
        };
    }
}
