package io.lambdaplatform.batch.internal;

import io.lambdaplatform.model.EventCodec;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import static org.apache.spark.sql.functions.col;

/**
 * Places records by product, once. Every copy of an event has the event's product, and every view row of one Cassandra
 * partition of the batch views (product, granularity, partition start) has it too: so after this one shuffle the
 * first copy of each event, the aggregate of each window and the writes of each Cassandra partition are all computed
 * in one task, with no further shuffle (Spark sees that hash partitioning by {@code product_id} already clusters the
 * later groupings), and the writing task can send a partition's rows in a few unlogged batches. Spark hashes the
 * column with Murmur3, the same in every executor JVM.
 */
public final class ViewPartitioner {

    private ViewPartitioner() {}

    /** The records in {@code partitions} Spark partitions by {@code product_id}. */
    public static Dataset<Row> byProduct(Dataset<Row> records, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be positive: " + partitions);
        }
        return records.repartition(partitions, col(EventCodec.PRODUCT_ID));
    }
}
