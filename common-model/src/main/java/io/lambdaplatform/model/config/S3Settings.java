package io.lambdaplatform.model.config;

import com.typesafe.config.Config;

import java.io.Serializable;

import static java.util.Objects.requireNonNull;

/**
 * The S3 (or S3-compatible) store of the master dataset, from {@code lambda.s3}. Engine-free: the batch layer turns it
 * into Hadoop S3A options, the local stack and the tests into an AWS SDK client. Serializable, so a Spark job can ship it.
 *
 * @param endpoint        {@code http(s)://host:port} of an S3-compatible store, or {@code null} for AWS S3's own endpoint
 * @param bucket          holds the master dataset
 * @param region          the signing region, e.g. {@code us-east-1}
 * @param pathStyleAccess {@code true} for stores without virtual-host buckets (MinIO, S3Proxy, Ceph)
 * @param accessKey       {@code null}: the default AWS credential chain (instance profile, environment, ...)
 * @param secretKey       never logged
 */
public record S3Settings(
        String endpoint,
        String bucket,
        String region,
        boolean pathStyleAccess,
        String accessKey,
        String secretKey) implements Serializable {

    public static final String SECTION = "lambda.s3";

    public S3Settings {
        ConfigValues.requireNotBlank(bucket, SECTION + ".bucket");
        ConfigValues.requireNotBlank(region, SECTION + ".region");
        if ((accessKey == null) != (secretKey == null)) {
            throw new IllegalArgumentException(SECTION + ".access-key and " + SECTION + ".secret-key go together");
        }
        if (endpoint != null && !endpoint.startsWith("http://") && !endpoint.startsWith("https://")) {
            throw new IllegalArgumentException(SECTION + ".endpoint must start with http:// or https://: " + endpoint);
        }
    }

    /** The settings under {@value #SECTION} of a loaded {@link PlatformConfig}. */
    public static S3Settings from(Config config) {
        Config s3 = config.getConfig(SECTION);
        return new S3Settings(
                ConfigValues.optionalString(s3, "endpoint"),
                s3.getString("bucket"),
                s3.getString("region"),
                s3.getBoolean("path-style-access"),
                ConfigValues.optionalString(s3, "access-key"),
                ConfigValues.optionalString(s3, "secret-key"));
    }

    /** An S3-compatible store at {@code endpoint}, path-style, with static credentials (a local stack, a container). */
    public static S3Settings compatible(String endpoint, String bucket, String region, String accessKey, String secretKey) {
        requireNonNull(endpoint, "endpoint is null");
        return new S3Settings(endpoint, bucket, region, true, accessKey, secretKey);
    }

    public boolean secure() {
        return endpoint == null || endpoint.startsWith("https://");
    }

    public S3Settings withBucket(String newBucket) {
        return new S3Settings(endpoint, newBucket, region, pathStyleAccess, accessKey, secretKey);
    }

    /** The secret key is left out, so this may be logged. */
    @Override
    public String toString() {
        return "S3Settings[endpoint=" + (endpoint == null ? "AWS" : endpoint) + ", bucket=" + bucket + ", region=" + region
                + ", pathStyleAccess=" + pathStyleAccess + ", credentials=" + (accessKey == null ? "default chain" : "static ****") + "]";
    }
}
