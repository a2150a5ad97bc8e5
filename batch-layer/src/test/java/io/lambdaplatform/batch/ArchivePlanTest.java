package io.lambdaplatform.batch;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArchivePlanTest {

    private static final Instant T = Instant.parse("2026-11-24T10:00:00Z");

    @Test
    void continuesEveryPartitionAtItsArchivedOffsetAndStartsNewPartitionsAtZero() {
        ArchivePlan plan = ArchivePlan.of("events",
                Map.of(0, new PartitionOffsets(0, 3, 10, T)),
                Map.of(0, new PartitionLog(0, 0, 25, T), 1, new PartitionLog(1, 0, 4, T)),
                false);

        assertThat(plan.reads()).containsExactly(
                new ArchivePlan.Read(0, 10, 10, 25, T),
                new ArchivePlan.Read(1, 0, 0, 4, Instant.EPOCH));
        assertThat(plan.crossesHoles()).isFalse();
    }

    @Test
    void namesEveryPartitionWhoseLogStartsPastTheArchivedOffset() {
        Map<Integer, PartitionOffsets> archived = Map.of(0, new PartitionOffsets(0, 0, 10, T), 1, new PartitionOffsets(1, 0, 5, T));
        Map<Integer, PartitionLog> logs = Map.of(0, new PartitionLog(0, 12, 30, T), 1, new PartitionLog(1, 5, 9, T),
                2, new PartitionLog(2, 7, 7, null));

        assertThatThrownBy(() -> ArchivePlan.of("events", archived, logs, false))
                .isInstanceOf(LogHoleException.class)
                .hasMessageContaining("Records of topic events were deleted from the log before the batch layer archived them: "
                        + "partition 0 offsets [10, 12); partition 2 offsets [0, 7). Nothing was written.");

        ArchivePlan accepted = ArchivePlan.of("events", archived, logs, true);
        assertThat(accepted.reads()).containsExactly(
                new ArchivePlan.Read(0, 10, 12, 30, T),
                new ArchivePlan.Read(1, 5, 5, 9, T),
                new ArchivePlan.Read(2, 0, 7, 7, Instant.EPOCH));
        assertThat(accepted.crossesHoles()).isTrue();
    }

    @Test
    void refusesATopicThatLostAPartitionOrWhoseLogEndsBelowTheArchive() {
        Map<Integer, PartitionOffsets> archived = Map.of(0, new PartitionOffsets(0, 0, 10, T), 1, new PartitionOffsets(1, 0, 5, T));

        assertThatThrownBy(() -> ArchivePlan.of("events", archived, Map.of(0, new PartitionLog(0, 0, 3, T)), true))
                .isInstanceOf(MasterDatasetException.class)
                .hasMessageContaining("partition 0 was archived up to offset 10 but its log ends at 3")
                .hasMessageContaining("partition 1 was archived up to offset 5 but the topic no longer has it");
    }

    @Test
    void endsAReadJustAfterTheFirstOffsetStampedAtOrPastTheCutoffWhenThatLiesInsideIt() {
        ArchivePlan plan = ArchivePlan.of("events", Map.of(0, new PartitionOffsets(0, 0, 10, T), 3, new PartitionOffsets(3, 0, 3, T)),
                Map.of(0, new PartitionLog(0, 0, 30, T), 1, new PartitionLog(1, 0, 8, T), 2, new PartitionLog(2, 0, 5, T),
                        3, new PartitionLog(3, 0, 4, T)), false);

        // 0: inside; 1: the last offset (reads to the end anyway); 2: none at or past the cutoff; 3: below the archive.
        ArchivePlan reading = plan.endingAt(Map.of(0, 17L, 1, 7L, 3, 1L));

        assertThat(reading.reads()).extracting(read -> read.partition() + ":[" + read.fromOffset() + "," + read.untilOffset() + ")")
                .containsExactly("0:[10,18)", "1:[0,8)", "2:[0,5)", "3:[3,4)");
    }
}
