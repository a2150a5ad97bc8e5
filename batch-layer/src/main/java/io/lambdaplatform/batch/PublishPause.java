package io.lambdaplatform.batch;

import io.lambdaplatform.model.config.ConfigValues;

import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static io.lambdaplatform.batch.BatchConfig.SECTION;

/**
 * A wait between the last view row of a version and the pointer flip, for the tests that act on a run at that
 * moment (kill it, start another beside it): at most {@code atMost}, and over as soon as {@code resumeFile}, when
 * set, exists. With a resume file a test releases the run the moment it is done, instead of sizing a fixed pause
 * for the slowest machine.
 *
 * @param atMost     {@code lambda.batch.pause-before-publish}; zero: no pause (production)
 * @param resumeFile {@code lambda.batch.pause-resume-file}, or null
 */
public record PublishPause(Duration atMost, String resumeFile) implements Serializable {

    public static final PublishPause NONE = new PublishPause(Duration.ZERO, null);

    private static final Duration POLL = Duration.ofMillis(100);

    public PublishPause {
        ConfigValues.requireNotNegative(atMost, SECTION + ".pause-before-publish");
        if (resumeFile != null) {
            ConfigValues.requireNotBlank(resumeFile, SECTION + ".pause-resume-file");
        }
    }

    public boolean isNone() {
        return atMost.isZero();
    }

    /** Waits until {@link #atMost} has passed or the resume file exists. */
    public void await() {
        Instant end = Instant.now().plus(atMost);
        try {
            while (Instant.now().isBefore(end) && (resumeFile == null || !Files.exists(Path.of(resumeFile)))) {
                Thread.sleep(Math.min(POLL.toMillis(), Math.max(1, Duration.between(Instant.now(), end).toMillis())));
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted before publishing", e);
        }
    }

    @Override
    public String toString() {
        return resumeFile == null ? atMost.toString() : "up to " + atMost + " or until " + resumeFile + " exists";
    }
}
