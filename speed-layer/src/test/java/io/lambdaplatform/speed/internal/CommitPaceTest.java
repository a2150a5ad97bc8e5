package io.lambdaplatform.speed.internal;

import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CommitPaceTest {

    private static final Instant NOW = Instant.parse("2026-12-06T03:00:00Z");

    private final MockProcessorContext<Void, Void> context = new MockProcessorContext<>();
    private final AtomicReference<Instant> lastIngest = new AtomicReference<>();

    @Test
    void kafkaStreamsCommitsAtTheCatchUpIntervalAndATaskWhoseLastRecordIsFreshAsksForACommitEveryInterval() {
        CommitPace pace = new CommitPace(Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ofSeconds(5));
        pace.schedule(context, lastIngest::get);

        assertThat(pace.streamsCommitInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(context.scheduledPunctuators()).singleElement().satisfies(punctuator -> {
            assertThat(punctuator.getInterval()).isEqualTo(Duration.ofMillis(200));
            assertThat(punctuator.getType()).isEqualTo(PunctuationType.WALL_CLOCK_TIME);
        });
        assertThat(commitAsked()).as("before any record").isFalse();

        lastIngest.set(NOW.minusMillis(4_999));
        assertThat(commitAsked()).as("last record ingested 4,999 ms ago").isTrue();

        lastIngest.set(NOW.minusSeconds(5));
        assertThat(commitAsked()).as("last record ingested 5 s ago: catching up").isFalse();
    }

    @Test
    void equalIntervalsLeaveTheCommitsToKafkaStreams() {
        CommitPace pace = CommitPace.every(Duration.ofMillis(200));
        pace.schedule(context, lastIngest::get);

        assertThat(pace.streamsCommitInterval()).isEqualTo(Duration.ofMillis(200));
        assertThat(context.scheduledPunctuators()).isEmpty();
    }

    @Test
    void aCatchUpIntervalShorterThanTheIntervalOrLongerThanTheLagThatStartsItIsRefused() {
        assertThatThrownBy(() -> new CommitPace(Duration.ofSeconds(1), Duration.ofMillis(200), Duration.ofSeconds(5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PT0.2S is shorter than the commit interval PT1S");
        assertThatThrownBy(() -> new CommitPace(Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("A task catches up after PT1S, less than the catch-up commit interval PT2S");
    }

    private boolean commitAsked() {
        context.resetCommit();
        context.scheduledPunctuators().get(0).getPunctuator().punctuate(NOW.toEpochMilli());
        return context.committed();
    }
}
