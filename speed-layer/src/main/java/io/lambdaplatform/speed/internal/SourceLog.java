package io.lambdaplatform.speed.internal;

/** What the speed layer asks Kafka about its topics besides reading them. Implementations may block briefly. */
public interface SourceLog {

    /** The first offset still in the log of a partition of the events topic, asked now (not cached). */
    long logStartOffset(int partition);

    /** The partition count of the repartition topic: how many product tasks report progress on each source partition. */
    int productTasks();

    /**
     * The partition count of the events topic, the source partitions every product task reports progress on, as last
     * seen: it grows when partitions are added to the topic.
     */
    SourcePartitions sourcePartitions();
}
