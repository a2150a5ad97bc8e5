package io.lambdaplatform.batch;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * Which offsets of each partition one archive step reads: from exactly where the master dataset ends to the log
 * end the brokers reported. Engine-free, so every refusal is a unit test.
 *
 * @param topic the events topic
 * @param reads one per partition of the topic, by partition
 */
public record ArchivePlan(String topic, List<Read> reads) {

    /**
     * The offsets {@code [fromOffset, untilOffset)} of one partition to read.
     *
     * @param expectedOffset where the master dataset ends: {@code fromOffset} unless the log deleted records
     *                       from there on, an accepted hole {@code [expectedOffset, fromOffset)}
     * @param lastIngest     ingest time of the last archived record of the partition: the running maximum
     *                       continues from it ({@link Instant#EPOCH} if none)
     */
    public record Read(int partition, long expectedOffset, long fromOffset, long untilOffset, Instant lastIngest) {

        public Read {
            requireNonNull(lastIngest, "lastIngest is null");
            if (partition < 0 || expectedOffset < 0 || fromOffset < expectedOffset || untilOffset < fromOffset) {
                throw new IllegalArgumentException("Invalid read of partition " + partition + ": expected " + expectedOffset
                        + ", [" + fromOffset + ", " + untilOffset + ")");
            }
        }

        public boolean crossesHole() {
            return fromOffset > expectedOffset;
        }
    }

    public ArchivePlan {
        requireNonNull(topic, "topic is null");
        reads = List.copyOf(requireNonNull(reads, "reads is null"));
    }

    /**
     * The reads that continue the archive of every partition.
     *
     * @param archived    where the master dataset ends, per partition (partitions not in it start at offset 0)
     * @param logs        the topic's partitions now
     * @param acceptHoles continue past records the log deleted before they were archived, instead of failing
     * @throws LogHoleException naming every partition and its missing offsets, unless {@code acceptHoles}
     * @throws MasterDatasetException when a partition disappeared or its log ends below the archived offset
     *                                (the topic was re-created)
     */
    public static ArchivePlan of(String topic, Map<Integer, PartitionOffsets> archived, Map<Integer, PartitionLog> logs,
            boolean acceptHoles) {
        List<String> problems = new ArrayList<>();
        for (PartitionOffsets known : new TreeMap<>(archived).values()) {
            PartitionLog log = logs.get(known.partition());
            if (log == null) {
                problems.add("partition " + known.partition() + " was archived up to offset " + known.toOffset()
                        + " but the topic no longer has it");
            }
            else if (log.logEnd() < known.toOffset()) {
                problems.add("partition " + known.partition() + " was archived up to offset " + known.toOffset()
                        + " but its log ends at " + log.logEnd());
            }
        }
        if (!problems.isEmpty()) {
            throw new MasterDatasetException("Topic " + topic + " does not continue the master dataset (was it deleted and "
                    + "re-created?): " + String.join("; ", problems));
        }
        List<Read> reads = new ArrayList<>();
        List<String> holes = new ArrayList<>();
        for (PartitionLog log : new TreeMap<>(logs).values()) {
            PartitionOffsets known = archived.getOrDefault(log.partition(), PartitionOffsets.start(log.partition()));
            long expected = known.toOffset();
            long from = Math.max(expected, log.logStart());
            if (from > expected) {
                holes.add("partition " + log.partition() + " offsets [" + expected + ", " + from + ")");
            }
            reads.add(new Read(log.partition(), expected, from, log.logEnd(), known.lastIngest()));
        }
        if (!holes.isEmpty() && !acceptHoles) {
            throw new LogHoleException("Records of topic " + topic + " were deleted from the log before the batch layer archived "
                    + "them: " + String.join("; ", holes) + ". Nothing was written. Rerun with --accept-log-holes "
                    + "(lambda.batch.accept-log-holes) to archive without them; every answer covering their ingest time "
                    + "will then say complete: false");
        }
        return new ArchivePlan(topic, reads);
    }

    /**
     * The same reads, each ending just after {@code stops}' offset of its partition where that lies inside the read: the
     * first offset stamped at or past the cutoff, past which no record is archived by this plan's run (see
     * {@link ArchiveStage#run}).
     */
    public ArchivePlan endingAt(Map<Integer, Long> stops) {
        List<Read> shortened = new ArrayList<>();
        for (Read read : reads) {
            Long stop = stops.get(read.partition());
            boolean inside = stop != null && stop >= read.fromOffset() && stop + 1 < read.untilOffset();
            shortened.add(inside ? new Read(read.partition(), read.expectedOffset(), read.fromOffset(), stop + 1, read.lastIngest()) : read);
        }
        return new ArchivePlan(topic, shortened);
    }

    public boolean crossesHoles() {
        return reads.stream().anyMatch(Read::crossesHole);
    }
}
