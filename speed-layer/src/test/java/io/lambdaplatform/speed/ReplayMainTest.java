package io.lambdaplatform.speed;

import io.lambdaplatform.model.ReplayFeed;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class ReplayMainTest {

    private static final String EVENTS = "events";
    private static final Instant INGEST = Instant.parse("2026-12-04T10:00:00Z");

    private static Map<Integer, ReplayFeed.End> archivedUpTo(long... offsets) {
        Map<Integer, ReplayFeed.End> ends = new TreeMap<>();
        for (int partition = 0; partition < offsets.length; partition++) {
            ends.put(partition, new ReplayFeed.End(offsets[partition], INGEST));
        }
        return ends;
    }

    @Test
    void aLogThatEndsWhereTheArchiveEndsOrBeyondContinuesIt() {
        Map<TopicPartition, Long> logEnds = Map.of(new TopicPartition(EVENTS, 0), 120L, new TopicPartition(EVENTS, 1), 95L);

        assertThat(ReplayMain.notContinuing(EVENTS, archivedUpTo(120, 80), logEnds)).isEmpty();
    }

    @Test
    void aReCreatedTopicWhoseLogEndsBelowTheArchiveDoesNotContinueIt() {
        // The topic was deleted and re-created: partition 1 starts again from offset 0 and has 7 records so far.
        Map<TopicPartition, Long> logEnds = Map.of(new TopicPartition(EVENTS, 0), 120L, new TopicPartition(EVENTS, 1), 7L);

        assertThat(ReplayMain.notContinuing(EVENTS, archivedUpTo(120, 80), logEnds))
                .containsExactly("partition 1 was archived up to offset 80 but its log ends at 7");
    }

    @Test
    void aPartitionTheTopicNoLongerHasDoesNotContinueIt() {
        Map<TopicPartition, Long> logEnds = Map.of(new TopicPartition(EVENTS, 0), 0L);

        assertThat(ReplayMain.notContinuing(EVENTS, archivedUpTo(5, 3), logEnds)).containsExactly(
                "partition 0 was archived up to offset 5 but its log ends at 0",
                "partition 1 was archived up to offset 3 but its log ends at no offset: the topic has no such partition");
    }
}
