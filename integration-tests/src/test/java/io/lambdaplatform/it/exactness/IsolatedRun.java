package io.lambdaplatform.it.exactness;

import io.lambdaplatform.model.IngestBuckets;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/**
 * The names one run of an end-to-end suite uses on the shared stack — its own events and dead-letter topics, keyspace,
 * Kafka Streams application id and working directory — so that other tests neither see nor disturb its data.
 *
 * @param run     a suffix unique to this run
 * @param workDir {@code target/it-<suite>/<run>}: logs and the speed layer's state
 */
record IsolatedRun(String suite, String run, Path workDir) {

    /** The ingest buckets of the layers a run starts. */
    static final IngestBuckets INGEST_BUCKETS = new IngestBuckets(Duration.ofSeconds(10));

    /** A new run of {@code suite} (e.g. {@code exact}), its working directory created. */
    static IsolatedRun of(String suite) throws java.io.IOException {
        String run = Long.toString(System.currentTimeMillis(), 36);
        return new IsolatedRun(suite, run, Files.createDirectories(Path.of("target", "it-" + suite, run)).toAbsolutePath());
    }

    String topic() {
        return "it-" + suite + "-events-" + run;
    }

    String deadLetterTopic() {
        return "it-" + suite + "-dlq-" + run;
    }

    String keyspace() {
        return "it_" + suite + "_" + run;
    }

    /** Creates the events topic (LogAppendTime) and the dead-letter topic. */
    void createTopics(String bootstrap, int partitions) throws ExecutionException, InterruptedException {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(
                    new NewTopic(topic(), partitions, (short) 1).configs(Map.of("message.timestamp.type", "LogAppendTime")),
                    new NewTopic(deadLetterTopic(), partitions, (short) 1))).all().get();
        }
    }

    /**
     * The {@code LAMBDA_*} variables that point the layers at this run's topics, keyspace and application id, with 10 s
     * ingest buckets so that the suite's steps fall in buckets of their own.
     */
    Map<String, String> environment() {
        Map<String, String> environment = new HashMap<>();
        environment.put("LAMBDA_KAFKA_EVENTS__TOPIC", topic());
        environment.put("LAMBDA_KAFKA_DEAD__LETTER__TOPIC", deadLetterTopic());
        environment.put("LAMBDA_CASSANDRA_KEYSPACE", keyspace());
        environment.put("LAMBDA_INGEST_BUCKET__WIDTH", INGEST_BUCKETS.width().toSeconds() + "s");
        environment.put("LAMBDA_SPEED_APPLICATION__ID", "it-" + suite + "-" + run);
        environment.put("LAMBDA_SPEED_STATE__DIR", workDir.resolve("speed-state").toString());
        return environment;
    }
}
