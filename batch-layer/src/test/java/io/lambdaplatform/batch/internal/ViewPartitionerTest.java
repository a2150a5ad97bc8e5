package io.lambdaplatform.batch.internal;

import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.viewstore.PartitionSpan;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.apache.spark.sql.functions.spark_partition_id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ViewPartitionerTest {

    private static final Instant DAY = Instant.parse("2026-11-24T00:00:00Z");
    private static final StructType CELLS = new StructType()
            .add("product_id", DataTypes.StringType)
            .add(ViewAggregation.GRANULARITY, DataTypes.StringType)
            .add(ViewAggregation.WINDOW_START_MS, DataTypes.LongType);

    private final SparkSession spark = SparkSession.builder()
            .master("local[2]")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .getOrCreate();

    @Test
    void placesEveryWindowOfOneCassandraPartitionInTheSameSparkPartition() {
        // 5-minute windows share a Cassandra partition per UTC day, hours per 16 days.
        List<Row> fiveMinutes = new ArrayList<>();
        for (int window = 0; window < 288; window++) {
            fiveMinutes.add(cell("p-1", Granularity.FIVE_MINUTES, DAY.plus(Duration.ofMinutes(5L * window))));
        }
        List<Row> hours = new ArrayList<>();
        Instant span = PartitionSpan.partitionStart(Granularity.ONE_HOUR, DAY);
        for (int window = 0; window < 16 * 24; window++) {
            hours.add(cell("p-1", Granularity.ONE_HOUR, span.plus(Duration.ofHours(window))));
        }

        assertThat(sparkPartitions(fiveMinutes)).hasSize(1);
        assertThat(sparkPartitions(hours)).hasSize(1);
    }

    @Test
    void spreadsCassandraPartitionsOverEverySparkPartition() {
        List<Row> products = new ArrayList<>();
        for (int product = 0; product < 1000; product++) {
            products.add(cell("p-" + product, Granularity.FIVE_MINUTES, DAY));
        }

        assertThat(sparkPartitions(products)).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7);
    }

    @Test
    void needsAtLeastOnePartition() {
        Dataset<Row> none = spark.createDataFrame(List.of(), CELLS);
        assertThatThrownBy(() -> ViewPartitioner.byCassandraPartition(none, 0)).hasMessageContaining("partitions must be positive: 0");
    }

    private Set<Integer> sparkPartitions(List<Row> cells) {
        Set<Integer> used = new HashSet<>();
        ViewPartitioner.byCassandraPartition(spark.createDataFrame(cells, CELLS), 8)
                .select(spark_partition_id()).collectAsList()
                .forEach(row -> used.add(row.getInt(0)));
        return used;
    }

    private static Row cell(String product, Granularity granularity, Instant start) {
        return RowFactory.create(product, granularity.label(), start.toEpochMilli());
    }
}
