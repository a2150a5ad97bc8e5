package io.lambdaplatform.stack;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.lambdaplatform.model.config.HostPort;
import io.lambdaplatform.model.config.KafkaSettings;
import io.lambdaplatform.model.config.S3Settings;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * Where a running stack's servers listen, as written to {@code DATA_DIR/endpoints.json}: one flat JSON object whose keys
 * are the platform's own configuration keys ({@code lambda.kafka.bootstrap-servers}, {@code lambda.s3.endpoint}, …), so
 * every deployable reads it as one more configuration source ({@code --stack DIR}) without translating anything. The one
 * key outside {@code lambda.} is Spark's own {@code spark.master}, written when the stack runs a Spark standalone master.
 * Unknown keys are ignored when reading, so the file may grow; the keys of files written before the platform's keys were
 * used ({@code kafka.bootstrap}, {@code cassandra.contact-point}, …) are still read here (but not by the deployables'
 * {@code --stack}: restart such a stack and it rewrites its file).
 *
 * <p>A cluster stack lists every node: {@code lambda.kafka.bootstrap-servers} names all brokers ({@code h:p,h:p,h:p}),
 * {@code lambda.cassandra.contact-points} every Cassandra node, {@code lambda.cassandra.replication-factor} the keyspace's.
 *
 * @param kafkaBootstrap             every broker, {@code host:port[,host:port...]}
 * @param cassandraContactPoint      the first Cassandra node, {@code host:port}, for callers that take one
 * @param cassandraContactPoints     every Cassandra node, {@code host:port}; the first is {@code cassandraContactPoint}
 * @param cassandraReplicationFactor the replication factor of the keyspace
 * @param sparkMaster                {@code spark://host:port} of the Spark standalone master, or null when the stack runs none
 * @param security                   what clients of a secured stack need (SASL_SSL Kafka, Cassandra over TLS with a password), or
 *                                   null for a plaintext stack
 */
public record StackEndpoints(
        String kafkaBootstrap,
        String cassandraContactPoint,
        String cassandraDatacenter,
        String cassandraKeyspace,
        String s3Endpoint,
        String s3Bucket,
        String s3AccessKey,
        String s3SecretKey,
        String s3Region,
        String eventsTopic,
        String dlqTopic,
        List<String> cassandraContactPoints,
        int cassandraReplicationFactor,
        String sparkMaster,
        StackSecurity security) {
    /** The file name a stack writes into its data directory. */
    public static final String FILE_NAME = "endpoints.json";
    public static final String KAFKA_BOOTSTRAP = "lambda.kafka.bootstrap-servers";
    public static final String EVENTS_TOPIC = "lambda.kafka.events-topic";
    public static final String DLQ_TOPIC = "lambda.kafka.dead-letter-topic";
    public static final String CASSANDRA_CONTACT_POINTS = "lambda.cassandra.contact-points";
    public static final String CASSANDRA_DATACENTER = "lambda.cassandra.local-datacenter";
    public static final String CASSANDRA_KEYSPACE = "lambda.cassandra.keyspace";
    public static final String CASSANDRA_REPLICATION_FACTOR = "lambda.cassandra.replication-factor";
    public static final String S3_ENDPOINT = "lambda.s3.endpoint";
    public static final String S3_BUCKET = "lambda.s3.bucket";
    public static final String S3_REGION = "lambda.s3.region";
    public static final String S3_PATH_STYLE_ACCESS = "lambda.s3.path-style-access";
    public static final String S3_ACCESS_KEY = "lambda.s3.access-key";
    public static final String S3_SECRET_KEY = "lambda.s3.secret-key";
    public static final String SPARK_MASTER = "spark.master";

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public StackEndpoints {
        requireNonNull(kafkaBootstrap, "kafkaBootstrap is null");
        requireNonNull(cassandraContactPoint, "cassandraContactPoint is null");
        requireNonNull(cassandraDatacenter, "cassandraDatacenter is null");
        requireNonNull(cassandraKeyspace, "cassandraKeyspace is null");
        requireNonNull(s3Endpoint, "s3Endpoint is null");
        requireNonNull(s3Bucket, "s3Bucket is null");
        requireNonNull(s3AccessKey, "s3AccessKey is null");
        requireNonNull(s3SecretKey, "s3SecretKey is null");
        requireNonNull(s3Region, "s3Region is null");
        requireNonNull(eventsTopic, "eventsTopic is null");
        requireNonNull(dlqTopic, "dlqTopic is null");
        HostPort.parseList(kafkaBootstrap, KAFKA_BOOTSTRAP);
        HostPort.parse(cassandraContactPoint, CASSANDRA_CONTACT_POINTS);
        cassandraContactPoints = cassandraContactPoints == null ? List.of(cassandraContactPoint) : List.copyOf(cassandraContactPoints);
        cassandraReplicationFactor = cassandraReplicationFactor == 0 ? 1 : cassandraReplicationFactor;
        if (cassandraContactPoints.isEmpty() || !cassandraContactPoints.get(0).equals(cassandraContactPoint)) {
            throw new IllegalArgumentException(CASSANDRA_CONTACT_POINTS + " must start with " + cassandraContactPoint + ": " + cassandraContactPoints);
        }
        for (String contactPoint : cassandraContactPoints) {
            HostPort.parse(contactPoint, CASSANDRA_CONTACT_POINTS);
        }
        if (cassandraReplicationFactor < 1 || cassandraReplicationFactor > cassandraContactPoints.size()) {
            throw new IllegalArgumentException(CASSANDRA_REPLICATION_FACTOR + " must be in 1.." + cassandraContactPoints.size() + ": " + cassandraReplicationFactor);
        }
        if (sparkMaster != null && !sparkMaster.startsWith("spark://")) {
            throw new IllegalArgumentException(SPARK_MASTER + " is not a spark:// URL: " + sparkMaster);
        }
        S3Settings.compatible(s3Endpoint, s3Bucket, s3Region, s3AccessKey, s3SecretKey);
    }

    /** The endpoints of a plaintext stack. */
    public StackEndpoints(String kafkaBootstrap, String cassandraContactPoint, String cassandraDatacenter, String cassandraKeyspace, String s3Endpoint,
            String s3Bucket, String s3AccessKey, String s3SecretKey, String s3Region, String eventsTopic, String dlqTopic, List<String> cassandraContactPoints,
            int cassandraReplicationFactor, String sparkMaster) {
        this(kafkaBootstrap, cassandraContactPoint, cassandraDatacenter, cassandraKeyspace, s3Endpoint, s3Bucket, s3AccessKey, s3SecretKey, s3Region,
                eventsTopic, dlqTopic, cassandraContactPoints, cassandraReplicationFactor, sparkMaster, null);
    }

    /** The endpoints of a single-node stack without Spark: one broker, one Cassandra node at replication factor 1. */
    public StackEndpoints(String kafkaBootstrap, String cassandraContactPoint, String cassandraDatacenter, String cassandraKeyspace, String s3Endpoint,
            String s3Bucket, String s3AccessKey, String s3SecretKey, String s3Region, String eventsTopic, String dlqTopic) {
        this(kafkaBootstrap, cassandraContactPoint, cassandraDatacenter, cassandraKeyspace, s3Endpoint, s3Bucket, s3AccessKey, s3SecretKey, s3Region,
                eventsTopic, dlqTopic, List.of(cassandraContactPoint), 1, null);
    }

    /** Reads an {@code endpoints.json} file, or the one inside a stack's data directory. */
    public static StackEndpoints read(Path file) {
        requireNonNull(file, "file is null");
        Path json = Files.isDirectory(file) ? file.resolve(FILE_NAME) : file;
        Map<String, Object> map;
        try {
            map = MAPPER.readValue(json.toFile(), new TypeReference<Map<String, Object>>() {});
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot read stack endpoints from " + json, e);
        }
        try {
            Object listed = value(map, CASSANDRA_CONTACT_POINTS, "cassandra.contact-points", false);
            List<String> contactPoints = listed instanceof List<?> list ? list.stream().map(String::valueOf).toList()
                    : listed != null ? List.of(listed.toString()) : List.of(string(map, "cassandra.contact-point", "cassandra.contact-point"));
            Object replicationFactor = value(map, CASSANDRA_REPLICATION_FACTOR, "cassandra.replication-factor", false);
            return new StackEndpoints(
                    string(map, KAFKA_BOOTSTRAP, "kafka.bootstrap"),
                    contactPoints.isEmpty() ? "" : contactPoints.get(0),
                    string(map, CASSANDRA_DATACENTER, "cassandra.datacenter"),
                    string(map, CASSANDRA_KEYSPACE, "cassandra.keyspace"),
                    string(map, S3_ENDPOINT, "s3.endpoint"),
                    string(map, S3_BUCKET, "s3.bucket"),
                    string(map, S3_ACCESS_KEY, "s3.access-key"),
                    string(map, S3_SECRET_KEY, "s3.secret-key"),
                    string(map, S3_REGION, "s3.region"),
                    string(map, EVENTS_TOPIC, "events.topic"),
                    string(map, DLQ_TOPIC, "dlq.topic"),
                    contactPoints,
                    replicationFactor instanceof Number number ? number.intValue() : 0,
                    map.get(SPARK_MASTER) == null ? null : map.get(SPARK_MASTER).toString(),
                    StackSecurity.fromMap(map));
        }
        catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Cannot read stack endpoints from " + json + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes this as JSON to {@code file}, atomically (a reader never sees a half-written file) and readable by its
     * owner only ({@code 0600}): it holds the S3 secret key and, for a secured stack, the passwords.
     */
    public void write(Path file) {
        requireNonNull(file, "file is null");
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.deleteIfExists(temporary);
            Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            MAPPER.writeValue(temporary.toFile(), asMap());
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot write stack endpoints to " + file, e);
        }
    }

    /** The endpoints under the platform's configuration keys, in the order of {@code endpoints.json}. */
    public Map<String, Object> asMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put(KAFKA_BOOTSTRAP, kafkaBootstrap);
        map.put(EVENTS_TOPIC, eventsTopic);
        map.put(DLQ_TOPIC, dlqTopic);
        map.put(CASSANDRA_CONTACT_POINTS, cassandraContactPoints);
        map.put(CASSANDRA_DATACENTER, cassandraDatacenter);
        map.put(CASSANDRA_KEYSPACE, cassandraKeyspace);
        map.put(CASSANDRA_REPLICATION_FACTOR, cassandraReplicationFactor);
        map.put(S3_ENDPOINT, s3Endpoint);
        map.put(S3_BUCKET, s3Bucket);
        map.put(S3_REGION, s3Region);
        map.put(S3_PATH_STYLE_ACCESS, true);
        map.put(S3_ACCESS_KEY, s3AccessKey);
        map.put(S3_SECRET_KEY, s3SecretKey);
        if (sparkMaster != null) {
            map.put(SPARK_MASTER, sparkMaster);
        }
        if (security != null) {
            map.putAll(security.asMap());
        }
        return map;
    }

    /** The stack's Kafka, as every deployable reads it: with the security properties of a secured stack. */
    public KafkaSettings kafka() {
        return new KafkaSettings(kafkaBootstrap, eventsTopic, dlqTopic, security == null ? Map.of() : security.kafkaClient());
    }

    /** The stack's S3 store (path-style, static credentials), as every deployable reads it. */
    public S3Settings s3() {
        return S3Settings.compatible(s3Endpoint, s3Bucket, s3Region, s3AccessKey, s3SecretKey);
    }

    /** The secret key and passwords are left out, so this may be logged. */
    @Override
    public String toString() {
        Map<String, Object> map = asMap();
        map.replaceAll((key, value) -> StackSecurity.isSecret(key) ? "****" : value);
        return "StackEndpoints" + map;
    }

    /** The value at {@code key}, or at the key an older stack wrote it under. */
    private static Object value(Map<String, Object> map, String key, String olderKey, boolean required) {
        Object value = map.containsKey(key) ? map.get(key) : map.get(olderKey);
        if (value == null && required) {
            throw new IllegalArgumentException("missing " + key);
        }
        return value;
    }

    private static String string(Map<String, Object> map, String key, String olderKey) {
        return value(map, key, olderKey, true).toString();
    }
}
