package io.lambdaplatform.stack;

import com.typesafe.config.Config;
import io.lambdaplatform.model.config.ConfigValues;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

import java.net.URI;

import static java.util.Objects.requireNonNull;

/**
 * The S3 (or S3-compatible) store of the master dataset, as configured under {@code lambda.s3}.
 *
 * @param endpoint        {@code null}: AWS S3's own endpoint for the region
 * @param region          e.g. {@code us-east-1}
 * @param pathStyleAccess {@code true} for most S3-compatible stores
 * @param accessKey       {@code null}: the default AWS credential chain
 * @param secretKey       never logged
 * @param bucket          holds the master dataset
 */
public record ObjectStore(String endpoint, String region, boolean pathStyleAccess, String accessKey, String secretKey, String bucket) {
    public ObjectStore {
        requireNonNull(region, "region is null");
        requireNonNull(bucket, "bucket is null");
        if (endpoint != null && !endpoint.startsWith("http://") && !endpoint.startsWith("https://")) {
            throw new IllegalArgumentException("lambda.s3.endpoint is not an http(s) URL: " + endpoint);
        }
        if ((accessKey == null) != (secretKey == null)) {
            throw new IllegalArgumentException("lambda.s3.access-key and lambda.s3.secret-key go together");
        }
    }

    /** The settings under {@code lambda.s3} of a loaded {@link io.lambdaplatform.model.config.PlatformConfig}. */
    public static ObjectStore from(Config config) {
        Config s3 = config.getConfig("lambda.s3");
        return new ObjectStore(
                ConfigValues.optionalString(s3, "endpoint"),
                s3.getString("region"),
                s3.getBoolean("path-style-access"),
                ConfigValues.optionalString(s3, "access-key"),
                ConfigValues.optionalString(s3, "secret-key"),
                s3.getString("bucket"));
    }

    /** A client for this store; the caller closes it. */
    public S3Client client() {
        S3ClientBuilder builder = S3Client.builder()
                .region(Region.of(region))
                .forcePathStyle(pathStyleAccess)
                .credentialsProvider(accessKey != null
                        ? StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey))
                        : DefaultCredentialsProvider.builder().build());
        if (endpoint != null) {
            builder.endpointOverride(URI.create(endpoint));
        }
        return builder.build();
    }

    /** The secret key is left out, so this may be logged. */
    @Override
    public String toString() {
        return "ObjectStore[endpoint=" + (endpoint == null ? "AWS" : endpoint) + ", region=" + region + ", pathStyleAccess=" + pathStyleAccess
                + ", accessKey=" + (accessKey == null ? "default chain" : accessKey) + ", secretKey=" + (secretKey == null ? "none" : "****")
                + ", bucket=" + bucket + "]";
    }
}
