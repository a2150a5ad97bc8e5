package io.lambdaplatform.it.stack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

import static java.util.Objects.requireNonNull;

/**
 * The official server images at the versions the Maven build pins ({@code kafka.version}, {@code cassandra.version},
 * {@code s3proxy.version}), read from {@code container-images.properties}, which the build filters. The Testcontainers
 * stack runs them, and {@code docker-compose.yml} must name the same tags.
 */
public record ContainerImages(String kafka, String cassandra, String s3proxy) {
    private static final String RESOURCE = "/container-images.properties";

    public ContainerImages {
        requireNonNull(kafka, "kafka is null");
        requireNonNull(cassandra, "cassandra is null");
        requireNonNull(s3proxy, "s3proxy is null");
    }

    public static ContainerImages ofBuild() {
        Properties properties = new Properties();
        try (InputStream in = ContainerImages.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the test classpath");
            }
            properties.load(in);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + RESOURCE, e);
        }
        return new ContainerImages(required(properties, "kafka"), required(properties, "cassandra"), required(properties, "s3proxy"));
    }

    private static String required(Properties properties, String key) {
        String image = properties.getProperty(key);
        if (image == null || image.contains("${")) {
            throw new IllegalStateException(RESOURCE + " has no filtered image for " + key + ": " + image);
        }
        return image;
    }
}
