package io.lambdaplatform.stack;

import io.lambdaplatform.model.config.S3Settings;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

import java.net.URI;

/** The AWS SDK's view of the platform's {@link S3Settings}. */
public final class S3Connections {

    private S3Connections() {}

    /** A client for the store {@code s3} names; the caller closes it. */
    public static S3Client open(S3Settings s3) {
        S3ClientBuilder builder = S3Client.builder()
                .region(Region.of(s3.region()))
                .forcePathStyle(s3.pathStyleAccess())
                .credentialsProvider(s3.accessKey() != null
                        ? StaticCredentialsProvider.create(AwsBasicCredentials.create(s3.accessKey(), s3.secretKey()))
                        : DefaultCredentialsProvider.builder().build());
        if (s3.endpoint() != null) {
            builder.endpointOverride(URI.create(s3.endpoint()));
        }
        return builder.build();
    }
}
