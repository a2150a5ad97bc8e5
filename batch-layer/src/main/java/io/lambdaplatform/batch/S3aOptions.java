package io.lambdaplatform.batch;

import io.lambdaplatform.model.config.S3Settings;

import java.util.LinkedHashMap;
import java.util.Map;

/** Hadoop's S3A connector's view of the platform's {@link S3Settings}. */
public final class S3aOptions {

    private S3aOptions() {}

    /** The Hadoop configuration ({@code fs.s3a.*}) the settings stand for; keys left out keep S3A's defaults. */
    public static Map<String, String> of(S3Settings s3) {
        Map<String, String> options = new LinkedHashMap<>();
        if (s3.endpoint() != null) {
            options.put("fs.s3a.endpoint", s3.endpoint());
            options.put("fs.s3a.connection.ssl.enabled", Boolean.toString(s3.secure()));
        }
        options.put("fs.s3a.endpoint.region", s3.region());
        options.put("fs.s3a.path.style.access", Boolean.toString(s3.pathStyleAccess()));
        if (s3.accessKey() != null) {
            options.put("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
            options.put("fs.s3a.access.key", s3.accessKey());
            options.put("fs.s3a.secret.key", s3.secretKey());
        }
        return options;
    }
}
