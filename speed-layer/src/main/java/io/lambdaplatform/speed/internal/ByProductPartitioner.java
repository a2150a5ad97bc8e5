package io.lambdaplatform.speed.internal;

import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.StreamPartitioner;

import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Places events on the repartition topic by product, as Java's producer places keys (murmur2), so a
 * product placed by a Java producer keeps its partition number and the hop stays local; sends progress
 * markers (key {@link #MARKER_KEY}, empty, which no product id is) to every partition, since every product
 * task must learn every source's progress.
 */
public final class ByProductPartitioner implements StreamPartitioner<byte[], byte[]> {

    /** The key of progress markers. Not null: Kafka Streams drops records with a null key before a repartition. */
    public static final byte[] MARKER_KEY = new byte[0];

    @Override
    public Optional<Set<Integer>> partitions(String topic, byte[] key, byte[] value, int numPartitions) {
        if (key == null || key.length == 0) {
            return Optional.of(IntStream.range(0, numPartitions).boxed().collect(Collectors.toSet()));
        }
        return Optional.of(Set.of(Utils.toPositive(Utils.murmur2(key)) % numPartitions));
    }
}
