package io.lambdaplatform.batch.internal;

import io.lambdaplatform.model.EventCodec;
import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.viewstore.PartitionSpan;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.when;

/**
 * Places every view row of one Cassandra partition of the batch views (product, granularity, partition start) in the
 * same Spark partition, so that the task writing it can send the partition's rows in a few unlogged batches. Spark
 * hashes the three columns with Murmur3, the same in every executor JVM.
 */
public final class ViewPartitioner {

    public static final String PARTITION_START_MS = "partition_start_ms";

    private ViewPartitioner() {}

    /**
     * The views ({@link ViewAggregation#views} columns) in {@code partitions} Spark partitions by Cassandra partition.
     */
    public static Dataset<Row> byCassandraPartition(Dataset<Row> views, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be positive: " + partitions);
        }
        return views.repartition(partitions, col(EventCodec.PRODUCT_ID), col(ViewAggregation.GRANULARITY), partitionStart());
    }

    /** The start of the Cassandra partition of a row's window, in epoch milliseconds ({@link PartitionSpan}). */
    public static Column partitionStart() {
        Column windowStart = col(ViewAggregation.WINDOW_START_MS);
        Column start = null;
        for (Granularity granularity : Granularity.values()) {
            Column isIt = col(ViewAggregation.GRANULARITY).equalTo(granularity.label());
            Column value = windowStart.minus(pmod(windowStart, lit(PartitionSpan.of(granularity).toMillis())));
            start = start == null ? when(isIt, value) : start.when(isIt, value);
        }
        return start.as(PARTITION_START_MS);
    }
}
