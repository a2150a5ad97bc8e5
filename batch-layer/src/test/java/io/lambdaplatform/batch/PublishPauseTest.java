package io.lambdaplatform.batch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PublishPauseTest {

    @Test
    void anExistingResumeFileEndsTheWaitLongBeforeItsLimit(@TempDir Path dir) throws Exception {
        Path resume = Files.createFile(dir.resolve("resume"));
        PublishPause pause = new PublishPause(Duration.ofMinutes(10), resume.toString());

        Instant started = Instant.now();
        pause.await();

        assertThat(Duration.between(started, Instant.now())).isLessThan(Duration.ofMinutes(1));
    }

    @Test
    void withoutTheFileTheWaitEndsAtItsLimit(@TempDir Path dir) {
        PublishPause pause = new PublishPause(Duration.ofMillis(300), dir.resolve("never").toString());

        Instant started = Instant.now();
        pause.await();

        assertThat(Duration.between(started, Instant.now())).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void zeroIsNoPauseAndNegativeOrBlankSettingsAreRefused() {
        assertThat(PublishPause.NONE.isNone()).isTrue();
        assertThat(new PublishPause(Duration.ofSeconds(1), null).isNone()).isFalse();
        assertThatThrownBy(() -> new PublishPause(Duration.ofSeconds(-1), null))
                .hasMessageContaining("lambda.batch.pause-before-publish");
        assertThatThrownBy(() -> new PublishPause(Duration.ofSeconds(1), " "))
                .hasMessageContaining("lambda.batch.pause-resume-file");
    }
}
