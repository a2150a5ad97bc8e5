package io.lambdaplatform.stack;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * Where a running stack's servers listen, as written to {@code DATA_DIR/endpoints.json}: one flat JSON
 * object whose keys are the platform's configuration keys ({@code kafka.bootstrap}, {@code s3.endpoint}, …).
 * Unknown keys are ignored when reading, so the file may grow.
 *
 * <p>A cluster stack lists every node: {@code kafka.bootstrap} names all brokers ({@code h:p,h:p,h:p}),
 * {@code cassandra.contact-points} every Cassandra node (while {@code cassandra.contact-point} stays the first, for
 * readers that take one), {@code cassandra.replication-factor} the keyspace's, and {@code spark.master} the Spark
 * standalone master when one runs. A file without the lists (an older stack's) reads as a single node.
 *
 * @param cassandraContactPoints every Cassandra node, {@code host:port}; the first is {@code cassandraContactPoint}
 * @param cassandraReplicationFactor the replication factor of the keyspace
 * @param sparkMaster {@code spark://host:port} of the Spark standalone master, or null when the stack runs none
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StackEndpoints(
        @JsonProperty(value = "kafka.bootstrap", required = true) String kafkaBootstrap,
        @JsonProperty(value = "cassandra.contact-point", required = true) String cassandraContactPoint,
        @JsonProperty(value = "cassandra.datacenter", required = true) String cassandraDatacenter,
        @JsonProperty(value = "cassandra.keyspace", required = true) String cassandraKeyspace,
        @JsonProperty(value = "s3.endpoint", required = true) String s3Endpoint,
        @JsonProperty(value = "s3.bucket", required = true) String s3Bucket,
        @JsonProperty(value = "s3.access-key", required = true) String s3AccessKey,
        @JsonProperty(value = "s3.secret-key", required = true) String s3SecretKey,
        @JsonProperty(value = "s3.region", required = true) String s3Region,
        @JsonProperty(value = "events.topic", required = true) String eventsTopic,
        @JsonProperty(value = "dlq.topic", required = true) String dlqTopic,
        @JsonProperty("cassandra.contact-points") List<String> cassandraContactPoints,
        @JsonProperty("cassandra.replication-factor") int cassandraReplicationFactor,
        @JsonProperty("spark.master") String sparkMaster) {
    /** The file name a stack writes into its data directory. */
    public static final String FILE_NAME = "endpoints.json";

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @JsonCreator
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
        for (String broker : kafkaBootstrap.split(",", -1)) {
            requireHostPort(broker, "kafka.bootstrap");
        }
        requireHostPort(cassandraContactPoint, "cassandra.contact-point");
        // Absent in the file of a single-node stack written before the lists existed: that one node.
        cassandraContactPoints = cassandraContactPoints == null ? List.of(cassandraContactPoint) : List.copyOf(cassandraContactPoints);
        cassandraReplicationFactor = cassandraReplicationFactor == 0 ? 1 : cassandraReplicationFactor;
        if (cassandraContactPoints.isEmpty() || !cassandraContactPoints.get(0).equals(cassandraContactPoint)) {
            throw new IllegalArgumentException("cassandra.contact-points must start with cassandra.contact-point " + cassandraContactPoint + ": " + cassandraContactPoints);
        }
        for (String contactPoint : cassandraContactPoints) {
            requireHostPort(contactPoint, "cassandra.contact-points");
        }
        if (cassandraReplicationFactor < 1 || cassandraReplicationFactor > cassandraContactPoints.size()) {
            throw new IllegalArgumentException("cassandra.replication-factor must be in 1.." + cassandraContactPoints.size() + ": " + cassandraReplicationFactor);
        }
        if (sparkMaster != null && !sparkMaster.startsWith("spark://")) {
            throw new IllegalArgumentException("spark.master is not a spark:// URL: " + sparkMaster);
        }
        if (!s3Endpoint.startsWith("http://") && !s3Endpoint.startsWith("https://")) {
            throw new IllegalArgumentException("s3.endpoint is not an http(s) URL: " + s3Endpoint);
        }
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
        try {
            return MAPPER.readValue(json.toFile(), StackEndpoints.class);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot read stack endpoints from " + json, e);
        }
    }

    /** Writes this as JSON to {@code file}, atomically: a reader never sees a half-written file. */
    public void write(Path file) {
        requireNonNull(file, "file is null");
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            MAPPER.writeValue(temporary.toFile(), this);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot write stack endpoints to " + file, e);
        }
    }

    /** The endpoints as configuration keys and values, in the order of {@code endpoints.json}: strings, one list, one number. */
    public Map<String, Object> asMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("kafka.bootstrap", kafkaBootstrap);
        map.put("cassandra.contact-point", cassandraContactPoint);
        map.put("cassandra.datacenter", cassandraDatacenter);
        map.put("cassandra.keyspace", cassandraKeyspace);
        map.put("s3.endpoint", s3Endpoint);
        map.put("s3.bucket", s3Bucket);
        map.put("s3.access-key", s3AccessKey);
        map.put("s3.secret-key", s3SecretKey);
        map.put("s3.region", s3Region);
        map.put("events.topic", eventsTopic);
        map.put("dlq.topic", dlqTopic);
        map.put("cassandra.contact-points", cassandraContactPoints);
        map.put("cassandra.replication-factor", cassandraReplicationFactor);
        if (sparkMaster != null) {
            map.put("spark.master", sparkMaster);
        }
        return map;
    }

    /** The secret key is left out, so this may be logged. */
    @Override
    public String toString() {
        Map<String, Object> map = asMap();
        map.put("s3.secret-key", "****");
        return "StackEndpoints" + map;
    }

    private static void requireHostPort(String value, String key) {
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new IllegalArgumentException(key + " is not host:port: " + value);
        }
        try {
            Integer.parseInt(value.substring(colon + 1));
        }
        catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " has no numeric port: " + value, e);
        }
    }
}
