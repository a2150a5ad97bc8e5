package io.lambdaplatform.stack;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * Where a running stack's servers listen, as written to {@code DATA_DIR/endpoints.json}: one flat JSON
 * object whose keys are the platform's configuration keys ({@code kafka.bootstrap}, {@code s3.endpoint}, …).
 * Unknown keys are ignored when reading, so the file may grow.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
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
        @JsonProperty(value = "dlq.topic", required = true) String dlqTopic) {
    /** The file name a stack writes into its data directory. */
    public static final String FILE_NAME = "endpoints.json";

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
        requireHostPort(kafkaBootstrap, "kafka.bootstrap");
        requireHostPort(cassandraContactPoint, "cassandra.contact-point");
        if (!s3Endpoint.startsWith("http://") && !s3Endpoint.startsWith("https://")) {
            throw new IllegalArgumentException("s3.endpoint is not an http(s) URL: " + s3Endpoint);
        }
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

    /** The endpoints as configuration keys and values, in the order of {@code endpoints.json}. */
    public Map<String, String> asMap() {
        Map<String, String> map = new LinkedHashMap<>();
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
        return map;
    }

    /** The secret key is left out, so this may be logged. */
    @Override
    public String toString() {
        Map<String, String> map = asMap();
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
