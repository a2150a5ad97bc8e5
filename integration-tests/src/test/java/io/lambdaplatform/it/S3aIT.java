package io.lambdaplatform.it;

import io.lambdaplatform.batch.S3aOptions;
import io.lambdaplatform.it.stack.RealStack;
import io.lambdaplatform.stack.S3Connections;
import io.lambdaplatform.stack.StackEndpoints;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
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
        try (S3Client s3 = S3Connections.open(endpoints.s3())) {
            String object = s3.getObjectAsBytes(request -> request.bucket(endpoints.s3Bucket()).key("it/s3a/part-00000.json")).asUtf8String();
            assertThat(object).isEqualTo(CONTENT);
        }
    }

    /** The options the batch layer gives S3A, from the stack's {@code lambda.s3} settings. */
    private static Configuration s3a(StackEndpoints endpoints) {
        Configuration conf = new Configuration();
        conf.set("fs.s3a.impl", "org.apache.hadoop.fs.s3a.S3AFileSystem");
        S3aOptions.of(endpoints.s3()).forEach(conf::set);
        return conf;
    }
}
