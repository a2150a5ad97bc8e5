package io.lambdaplatform.batch;

import com.typesafe.config.Config;
import io.lambdaplatform.model.config.ConfigValues;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * How the job reaches the object store through Hadoop's S3A connector.
 *
 * @param endpoint        {@code http(s)://host:port} of an S3-compatible store, or {@code null} for AWS S3
 * @param bucket          the bucket of the master dataset
 * @param region          the signing region
 * @param pathStyleAccess {@code true} for stores without virtual-host buckets (MinIO, S3Proxy, Ceph)
 * @param accessKey       {@code null}: S3A's default credential chain (instance profile, environment, ...)
 * @param secretKey       never logged
 */
public record S3Settings(
        String endpoint,
        String bucket,
        String region,
        boolean pathStyleAccess,
        String accessKey,
        String secretKey) implements Serializable {

    public S3Settings {
        requireNonNull(bucket, "bucket is null");
        requireNonNull(region, "region is null");
        if (bucket.isBlank()) {
            throw new IllegalArgumentException("lambda.s3.bucket must not be empty");
        }
        if ((accessKey == null) != (secretKey == null)) {
            throw new IllegalArgumentException("lambda.s3.access-key and lambda.s3.secret-key go together");
        }
        if (endpoint != null && !endpoint.startsWith("http://") && !endpoint.startsWith("https://")) {
            throw new IllegalArgumentException("lambda.s3.endpoint must start with http:// or https://: " + endpoint);
        }
    }

    public static S3Settings from(Config config) {
        Config s3 = config.getConfig("lambda.s3");
        return new S3Settings(
                ConfigValues.optionalString(s3, "endpoint"),
                s3.getString("bucket"),
                s3.getString("region"),
                s3.getBoolean("path-style-access"),
                ConfigValues.optionalString(s3, "access-key"),
                ConfigValues.optionalString(s3, "secret-key"));
    }

    /** The Hadoop configuration ({@code fs.s3a.*}) these settings stand for; keys left unset keep S3A's defaults. */
    public Map<String, String> hadoopOptions() {
        Map<String, String> options = new LinkedHashMap<>();
        if (endpoint != null) {
            options.put("fs.s3a.endpoint", endpoint);
            options.put("fs.s3a.connection.ssl.enabled", Boolean.toString(endpoint.toLowerCase(Locale.ROOT).startsWith("https://")));
        }
        options.put("fs.s3a.endpoint.region", region);
        options.put("fs.s3a.path.style.access", Boolean.toString(pathStyleAccess));
        if (accessKey != null) {
            options.put("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
            options.put("fs.s3a.access.key", accessKey);
            options.put("fs.s3a.secret.key", secretKey);
        }
        return options;
    }

    @Override
    public String toString() {
        return "S3Settings[endpoint=" + (endpoint == null ? "AWS" : endpoint) + ", bucket=" + bucket + ", region=" + region
                + ", pathStyleAccess=" + pathStyleAccess + ", credentials=" + (accessKey == null ? "default chain" : "static ****") + "]";
    }
}
