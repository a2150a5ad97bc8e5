package io.lambdaplatform.it;

import io.lambdaplatform.it.stack.RealStack;
import io.lambdaplatform.stack.StackEndpoints;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.URI;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

@RealStack
class S3aIT {
    private static final String CONTENT = "{\"event_id\":\"e-8f3a\",\"revenue\":\"19.99\"}\n";

    @Test
    void writesAndReadsAnObjectThroughHadoopS3a(StackEndpoints endpoints) throws Exception {
        Path file = new Path("s3a://" + endpoints.s3Bucket() + "/it/s3a/part-00000.json");
        try (FileSystem fs = FileSystem.newInstance(URI.create("s3a://" + endpoints.s3Bucket() + "/"), s3a(endpoints))) {
            try (FSDataOutputStream out = fs.create(file, true)) {
                out.write(CONTENT.getBytes(StandardCharsets.UTF_8));
            }

            FileStatus status = fs.getFileStatus(file);
            assertThat(status.getLen()).isEqualTo(CONTENT.getBytes(StandardCharsets.UTF_8).length);
            assertThat(fs.listStatus(new Path("s3a://" + endpoints.s3Bucket() + "/it/s3a/")))
                    .extracting(listed -> listed.getPath().getName())
                    .containsExactly("part-00000.json");
            try (FSDataInputStream in = fs.open(file)) {
                assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(CONTENT);
            }
        }

        // The object is in the server, not in some client-side cache: read it with the plain AWS SDK too.
        try (S3Client s3 = S3Client.builder()
                .endpointOverride(URI.create(endpoints.s3Endpoint()))
                .region(Region.of(endpoints.s3Region()))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(endpoints.s3AccessKey(), endpoints.s3SecretKey())))
                .forcePathStyle(true)
                .build()) {
            String object = s3.getObjectAsBytes(request -> request.bucket(endpoints.s3Bucket()).key("it/s3a/part-00000.json")).asUtf8String();
            assertThat(object).isEqualTo(CONTENT);
        }
    }

    private static Configuration s3a(StackEndpoints endpoints) {
        Configuration conf = new Configuration();
        conf.set("fs.s3a.impl", "org.apache.hadoop.fs.s3a.S3AFileSystem");
        conf.set("fs.s3a.endpoint", endpoints.s3Endpoint());
        conf.set("fs.s3a.endpoint.region", endpoints.s3Region());
        conf.set("fs.s3a.path.style.access", "true");
        conf.set("fs.s3a.connection.ssl.enabled", "false");
        conf.set("fs.s3a.access.key", endpoints.s3AccessKey());
        conf.set("fs.s3a.secret.key", endpoints.s3SecretKey());
        conf.set("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
        return conf;
    }
}
