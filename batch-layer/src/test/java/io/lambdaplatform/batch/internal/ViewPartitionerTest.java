package io.lambdaplatform.batch.internal;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.spark_partition_id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ViewPartitionerTest {

    private static final StructType RECORDS = new StructType()
            .add("product_id", DataTypes.StringType)
            .add("event_id", DataTypes.StringType);

    private final SparkSession spark = SparkSession.builder()
            .master("local[2]")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .getOrCreate();

    @Test
    void placesEveryRecordOfOneProductInTheSameSparkPartitionAndSpreadsProductsOverAll() {
        List<Row> records = new ArrayList<>();
        for (int product = 0; product < 1000; product++) {
            for (int event = 0; event < 3; event++) {
                records.add(RowFactory.create("p-" + product, "e-" + event));
            }
        }

        Map<String, Set<Integer>> partitionsByProduct = new HashMap<>();
        ViewPartitioner.byProduct(spark.createDataFrame(records, RECORDS), 8)
                .select(col("product_id"), spark_partition_id()).collectAsList()
                .forEach(row -> partitionsByProduct.computeIfAbsent(row.getString(0), p -> new HashSet<>()).add(row.getInt(1)));

        assertThat(partitionsByProduct).hasSize(1000).allSatisfy((product, partitions) -> assertThat(partitions).hasSize(1));
        Set<Integer> used = new HashSet<>();
        partitionsByProduct.values().forEach(used::addAll);
        assertThat(used).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7);
    }

    @Test
    void needsAtLeastOnePartition() {
        Dataset<Row> none = spark.createDataFrame(List.of(), RECORDS);
        assertThatThrownBy(() -> ViewPartitioner.byProduct(none, 0)).hasMessageContaining("partitions must be positive: 0");
    }
}
