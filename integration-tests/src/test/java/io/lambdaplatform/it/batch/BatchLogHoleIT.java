package io.lambdaplatform.it.batch;

import com.datastax.oss.driver.api.core.CqlSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lambdaplatform.it.layers.LayerProcess;
import io.lambdaplatform.it.stack.RealStack;
import io.lambdaplatform.model.Event;
import io.lambdaplatform.model.EventCodec;
import io.lambdaplatform.stack.StackEndpoints;
import io.lambdaplatform.viewstore.BatchVersion;
import io.lambdaplatform.viewstore.CassandraBatchViews;
import io.lambdaplatform.viewstore.CassandraSettings;
import io.lambdaplatform.viewstore.IngestHole;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Retention deletes records the batch layer never archived (point 3 of issue 11): the next {@code ./lambda batch}
 * fails naming the partition and the offsets instead of publishing a cutoff past them; with
 * {@code --accept-log-holes} it publishes, and the hole is in {@code batch_holes} and in the range's manifest entry.
 */
// Among the longest classes, so it starts early when classes run in parallel (integration-tests/pom.xml).
@Order(8)
@RealStack
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BatchLogHoleIT {

    private static final String KEYSPACE = "it_batch_hole";
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(5);

    private StackEndpoints stack;
    private String topic;
    private Path stackDir;
    private Map<String, String> environment;
    private KafkaProducer<byte[], byte[]> producer;
    private CqlSession session;

    @BeforeAll
    void setUp(StackEndpoints endpoints) throws Exception {
        stack = endpoints;
        BatchStackDir dir = BatchStackDir.create(stack, "hole", KEYSPACE, 2, "1g");
        topic = dir.topic();
        stackDir = dir.stackDir();
        environment = dir.environment();
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap(),
                ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer());
        session = CassandraSettings.of(stack.cassandraContactPoint(), stack.cassandraDatacenter(), KEYSPACE).connect();
    }

    @AfterAll
    void tearDown() {
        if (producer != null) {
            producer.close();
        }
        if (session != null) {
            session.close();
        }
    }

    @Test
    void recordsDeletedBeforeTheyWereArchivedFailTheRunUnlessAcceptedAndThenTheHoleIsRecorded() throws Exception {
        send(0, "h1", "1.00");
        send(0, "h2", "2.00");
        RecordMetadata lastArchived = send(0, "h3", "3.00");         // partition 0, offset 2
        send(1, "h4", "4.00");
        tick();
        assertThat(run("first", Map.of()).exitCode()).isZero();
        BatchVersion first = views().current().orElseThrow();
        assertThat(first.eventCount()).isEqualTo(4);

        send(0, "h5", "5.00");                                       // offset 3: never archived
        send(0, "h6", "6.00");                                       // offset 4: never archived
        RecordMetadata afterHole = send(0, "h7", "7.00");            // offset 5
        send(1, "h8", "8.00");
        tick();
        try (Admin admin = admin()) {
            admin.deleteRecords(Map.of(new TopicPartition(topic, 0), RecordsToDelete.beforeOffset(afterHole.offset()))).all().get();
        }

        Finished refused = run("refused", Map.of());

        assertThat(refused.exitCode()).as(refused.log()).isEqualTo(1);
        assertThat(refused.log()).contains("were deleted from the log before the batch layer archived them: partition 0 offsets [3, 5)",
                "--accept-log-holes");
        assertThat(views().current()).contains(first);
        assertThat(manifestHoles()).isEmpty();

        Finished accepted = run("accepted", Map.of(), "--accept-log-holes");

        assertThat(accepted.exitCode()).as(accepted.log()).isZero();
        IngestHole hole = new IngestHole("batch", 0, 3, 5, Instant.ofEpochMilli(lastArchived.timestamp()),
                Instant.ofEpochMilli(afterHole.timestamp()));
        BatchVersion second = views().current().orElseThrow();
        assertThat(second.version()).isEqualTo(2);
        assertThat(second.eventCount()).isEqualTo(6);                  // h1-h4, h7, h8: h5 and h6 are lost
        assertThat(views().holes()).containsExactly(hole);
        assertThat(manifestHoles()).containsExactly(hole);
    }

    private record Finished(int exitCode, String log) {}

    private Finished run(String name, Map<String, String> extra, String... arguments) throws InterruptedException {
        Map<String, String> settings = new HashMap<>(environment);
        settings.putAll(extra);
        LayerProcess process = LayerProcess.batch(stackDir, settings, stackDir.resolve("logs").resolve(name + ".log"), arguments);
        int code = process.awaitExit(RUN_TIMEOUT);
        return new Finished(code, process.logText());
    }

    private RecordMetadata send(int partition, String eventId, String revenue) throws Exception {
        Event event = new Event(eventId, "it-hole", null, new BigDecimal(revenue), 1, Instant.parse("2026-11-24T10:00:00Z"));
        return producer.send(new ProducerRecord<>(topic, partition, bytes(event.productId()), bytes(EventCodec.encodeToString(event)))).get();
    }

    /** Waits past the current ingest second and appends an invalid record: the brokers' clock moves on. */
    private void tick() throws Exception {
        Thread.sleep(1500);
        producer.send(new ProducerRecord<>(topic, 1, bytes("it-tick"), bytes("clock tick"))).get();
    }

    private List<IngestHole> manifestHoles() throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<IngestHole> holes = new ArrayList<>();
        try (S3Client s3 = S3Client.builder()
                .endpointOverride(URI.create(stack.s3Endpoint()))
                .region(Region.of(stack.s3Region()))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(stack.s3AccessKey(), stack.s3SecretKey())))
                .forcePathStyle(true)
                .build()) {
            var listing = s3.listObjectsV2(request -> request.bucket(stack.s3Bucket()).prefix(topic + "/master/_manifest/"));
            for (var object : listing.contents()) {
                JsonNode entry = json.readTree(s3.getObjectAsBytes(request -> request.bucket(stack.s3Bucket()).key(object.key())).asByteArray());
                for (JsonNode hole : entry.path("holes")) {
                    holes.add(new IngestHole(hole.get("layer").asText(), hole.get("partition").asInt(), hole.get("from_offset").asLong(),
                            hole.get("to_offset").asLong(), Instant.parse(hole.get("from_ingest").asText()),
                            Instant.parse(hole.get("to_ingest").asText())));
                }
            }
        }
        return holes;
    }

    private CassandraBatchViews views() {
        return new CassandraBatchViews(session, KEYSPACE);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap()));
    }
}
