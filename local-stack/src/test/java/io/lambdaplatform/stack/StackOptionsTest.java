package io.lambdaplatform.stack;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StackOptionsTest {
    @Test
    void defaults() {
        StackOptions options = StackOptions.of(Path.of("data"));

        assertThat(options.dataDir()).isEqualTo(Path.of("data").toAbsolutePath());
        assertThat(options.fresh()).isFalse();
        assertThat(options.partitions()).isEqualTo(3);
        assertThat(options.keyspace()).isEqualTo("lambda");
        assertThat(options.bucket()).isEqualTo("lambda");
        assertThat(options.startTimeout()).isEqualTo(Duration.ofMinutes(3));
        assertThat(options.stopTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(options.cluster()).isFalse();
        assertThat(options.secure()).isFalse();
    }

    @Test
    void withersCopy() {
        StackOptions options = StackOptions.of(Path.of("/tmp/d")).withFresh(true).withPartitions(6).withKeyspace("views").withBucket("master-data");

        assertThat(options).isEqualTo(new StackOptions(Path.of("/tmp/d"), true, 6, "views", "master-data", Duration.ofMinutes(3), Duration.ofSeconds(30), false, null, false));
        assertThat(StackOptions.of(Path.of("/tmp/d")).withCluster(true).withSecure(true).secure()).isTrue();
    }

    @Test
    void rejectsInvalidValues() {
        StackOptions options = StackOptions.of(Path.of("/tmp/d"));

        assertThatThrownBy(() -> options.withPartitions(0)).hasMessage("partitions must be at least 1: 0");
        assertThatThrownBy(() -> options.withKeyspace("Views")).hasMessage("keyspace must be a lower-case letter, then up to 47 lower-case letters, digits and _: Views");
        assertThatThrownBy(() -> options.withBucket("B_ucket")).hasMessage("bucket is not a valid S3 bucket name: B_ucket");
        assertThatThrownBy(() -> options.withStartTimeout(Duration.ZERO)).hasMessage("startTimeout must be positive: PT0S");
        assertThatThrownBy(() -> options.withSecure(true)).hasMessage("A secured stack is a cluster stack: secure given without cluster");
    }
}
