package io.lambdaplatform.batch.internal;

import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.viewstore.PartitionSpan;
import org.apache.spark.Partitioner;

/**
 * Places every {@link ViewCell} of one Cassandra partition of the batch views (product, granularity, partition start)
 * in the same Spark partition, so that the task writing it can send the partition's rows in a few unlogged batches.
 * The hash uses only strings and longs, whose hashes agree across executor JVMs.
 */
public final class ViewPartitioner extends Partitioner {

    private final int partitions;

    public ViewPartitioner(int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be positive: " + partitions);
        }
        this.partitions = partitions;
    }

    @Override
    public int numPartitions() {
        return partitions;
    }

    @Override
    public int getPartition(Object key) {
        ViewCell cell = (ViewCell) key;
        long spanMillis = PartitionSpan.of(Granularity.parse(cell.granularity())).toMillis();
        long partitionStart = Math.floorDiv(cell.windowStartMillis(), spanMillis) * spanMillis;
        int hash = 31 * (31 * cell.productId().hashCode() + cell.granularity().hashCode()) + Long.hashCode(partitionStart);
        return Math.floorMod(hash, partitions);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ViewPartitioner that && that.partitions == partitions;
    }

    @Override
    public int hashCode() {
        return partitions;
    }
}
