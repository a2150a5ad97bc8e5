package io.lambdaplatform.model.config;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The shared sections of {@code common-model}'s {@code reference.conf} ({@code lambda.kafka}, {@code lambda.s3},
 * {@code lambda.ingest}), each as the records they give by default and a setting of every key to another value: the
 * building blocks of every deployable's {@link ConfigMappingAssertions#assertFullMapping} test.
 */
public final class SharedKeys {

    public static final KafkaSettings KAFKA_DEFAULTS = new KafkaSettings("localhost:9092", "events", "events.dlq");
    public static final Map<String, Object> KAFKA_SET = Map.of(
            "lambda.kafka.bootstrap-servers", "k1:9093,k2:9093",
            "lambda.kafka.events-topic", "clicks",
            "lambda.kafka.dead-letter-topic", "clicks.dlq",
            "lambda.kafka.security.security.protocol", "SASL_SSL",
            "lambda.kafka.security.\"sasl.mechanism\"", "SCRAM-SHA-512");
    public static final KafkaSettings KAFKA_MAPPED = new KafkaSettings("k1:9093,k2:9093", "clicks", "clicks.dlq",
            Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512"));

    public static final S3Settings S3_DEFAULTS = new S3Settings(null, "lambda", "us-east-1", false, null, null);
    public static final Map<String, Object> S3_SET = Map.of(
            "lambda.s3.endpoint", "https://s3.example.com:9000",
            "lambda.s3.bucket", "lake",
            "lambda.s3.region", "eu-west-1",
            "lambda.s3.path-style-access", true,
            "lambda.s3.access-key", "AK",
            "lambda.s3.secret-key", "SK");
    public static final S3Settings S3_MAPPED = new S3Settings("https://s3.example.com:9000", "lake", "eu-west-1", true, "AK", "SK");

    public static final Duration INGEST_BUCKET_WIDTH_DEFAULT = Duration.ofMinutes(1);
    public static final Map<String, Object> INGEST_SET = Map.of("lambda.ingest.bucket-width", "30s");
    public static final Duration INGEST_BUCKET_WIDTH_MAPPED = Duration.ofSeconds(30);

    private SharedKeys() {}

    /** The union of several key settings. */
    @SafeVarargs
    public static Map<String, Object> union(Map<String, ?>... settings) {
        Map<String, Object> union = new HashMap<>();
        for (Map<String, ?> setting : settings) {
            union.putAll(setting);
        }
        return union;
    }
}
