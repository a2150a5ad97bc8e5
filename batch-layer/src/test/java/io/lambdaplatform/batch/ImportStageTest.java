package io.lambdaplatform.batch;

import io.lambdaplatform.model.Granularity;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static io.lambdaplatform.batch.RecomputeStageTest.exact;
import static io.lambdaplatform.batch.RecomputeStageTest.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImportStageTest {

    private static final Instant IMPORTED_AT = Instant.parse("2026-11-25T08:00:00.123Z");
    private static final Instant ALL_TIME = Instant.parse("2020-01-01T00:00:00Z");

    private final SparkSession spark = TestSpark.session();
    private Path dir;
    private BatchConfig config;

    @BeforeEach
    void setUp(@TempDir Path tempDir) {
        dir = tempDir;
        config = TestConfigs.local(dir.resolve("master"));
    }

    @Test
    void importsValidJsonLinesAndReportsTheRejectedOnesByReason() throws Exception {
        Path file = dir.resolve("lake/events.jsonl");
        Files.createDirectories(file.getParent());
        Files.writeString(file, String.join("\n",
                "{\"event_id\":\"i1\",\"product_id\":\"p1\",\"revenue\":19.99,\"duration_ms\":100,\"event_time\":\"2026-11-20T10:01:00Z\"}",
                "{\"event_id\":\"i2\",\"product_id\":\"p1\",\"revenue\":\"0.01\",\"duration_ms\":300,\"event_time\":1795168920000}",
                "{\"event_id\":\"i3\",\"product_id\":\"p1\",\"revenue\":\"1.999\",\"duration_ms\":1,\"event_time\":\"2026-11-20T10:03:00Z\"}",
                "{\"event_id\":\"i4\",\"product_id\":\"p1\",\"duration_ms\":1,\"event_time\":\"2026-11-20T10:03:00Z\"}",
                "not json",
                "{\"event_id\":\"i1\",\"product_id\":\"p1\",\"revenue\":19.99,\"duration_ms\":100,\"event_time\":\"2026-11-20T10:01:00Z\"}"));

        ImportReport report = ImportStage.run(spark, config, file.toUri().toString(), ImportFormat.JSON, Clock.fixed(IMPORTED_AT, ZoneOffset.UTC));

        assertThat(report.accepted()).isEqualTo(3);
        assertThat(report.rejectedByReason()).containsExactly(
                entry("invalid-value", 1L), entry("malformed-json", 1L), entry("missing-field", 1L));
        assertThat(report.exampleByReason().get("missing-field")).isEqualTo("revenue: required");
        assertThat(report.range().from()).isEqualTo(IMPORTED_AT);
        assertThat(report.range().records()).isEqualTo(3);
        assertThat(report.describe()).contains("accepted: 3 rows", "rejected: 3 rows", "missing-field: 1   e.g. revenue: required");

        SharedBatchViews factory = SharedBatchViews.fresh("import-json-" + dir.getFileName());
        RecomputeResult result = RecomputeStage.run(spark, config, IMPORTED_AT.plusSeconds(60), factory, Clock.systemUTC());
        assertThat(result.duplicatesDropped()).isEqualTo(1);
        assertThat(exact(factory.open().read(1, "p1", Granularity.ONE_HOUR, ALL_TIME, ALL_TIME.plusSeconds(3650L * 86400))))
                .containsExactly(row("p1", Granularity.ONE_HOUR, "2026-11-20T10:00:00Z", 2, "20.00", 400));
    }

    @Test
    void importedEventsStayOutOfViewsWhoseCutoffIsNotPastTheImportTime() throws Exception {
        Path file = dir.resolve("one.jsonl");
        Files.writeString(file, "{\"event_id\":\"i1\",\"product_id\":\"p1\",\"revenue\":1,\"duration_ms\":1,\"event_time\":\"2026-11-20T10:01:00Z\"}\n");
        ImportStage.run(spark, config, file.toUri().toString(), ImportFormat.JSON, Clock.fixed(IMPORTED_AT, ZoneOffset.UTC));

        SharedBatchViews factory = SharedBatchViews.fresh("import-before-" + dir.getFileName());
        RecomputeResult atImportTime = RecomputeStage.run(spark, config, IMPORTED_AT, factory, Clock.systemUTC());

        assertThat(atImportTime.eventsCounted()).isZero();
        assertThat(atImportTime.viewRows()).isZero();
    }

    @Test
    void readsParquetFilesWithExtraAndReorderedColumns() {
        StructType canonical = new StructType()
                .add("event_id", DataTypes.StringType)
                .add("product_id", DataTypes.StringType)
                .add("revenue", DataTypes.createDecimalType(12, 2))
                .add("duration_ms", DataTypes.LongType)
                .add("event_time", DataTypes.TimestampType);
        StructType evolved = new StructType()
                .add("event_time", DataTypes.TimestampType)
                .add("country", DataTypes.StringType)
                .add("revenue", DataTypes.createDecimalType(12, 2))
                .add("user_id", DataTypes.StringType)
                .add("product_id", DataTypes.StringType)
                .add("duration_ms", DataTypes.LongType)
                .add("event_id", DataTypes.StringType);
        Path lake = dir.resolve("lake.parquet");
        spark.createDataFrame(List.of(RowFactory.create("q1", "p7", new BigDecimal("0.10"), 10L, ts("2026-11-21T06:00:00.5Z"))), canonical)
                .write().mode(SaveMode.Append).parquet(lake.resolve("day=1").toString());
        spark.createDataFrame(List.<Row>of(RowFactory.create(ts("2026-11-21T06:04:59.999Z"), "FR", new BigDecimal("0.20"), "u1", "p7", 20L, "q2"),
                        RowFactory.create(ts("2026-11-21T06:04:00Z"), "FR", new BigDecimal("-1.00"), null, "bad product!", 1L, "q3")), evolved)
                .write().mode(SaveMode.Append).parquet(lake.resolve("day=2").toString());

        ImportReport report = ImportStage.run(spark, config, lake.toUri().toString(), ImportFormat.PARQUET, Clock.fixed(IMPORTED_AT, ZoneOffset.UTC));

        assertThat(report.accepted()).isEqualTo(2);
        assertThat(report.rejectedByReason()).containsExactly(entry("invalid-value", 1L));
        SharedBatchViews factory = SharedBatchViews.fresh("import-parquet-" + dir.getFileName());
        RecomputeStage.run(spark, config, IMPORTED_AT.plusSeconds(1), factory, Clock.systemUTC());
        assertThat(exact(factory.open().read(1, "p7", Granularity.FIVE_MINUTES, ALL_TIME, ALL_TIME.plusSeconds(3650L * 86400))))
                .containsExactly(row("p7", Granularity.FIVE_MINUTES, "2026-11-21T06:00:00Z", 2, "0.30", 30));
    }

    @Test
    void aParquetFileWithoutARequiredColumnIsAnErrorNamingTheFile() {
        StructType noRevenue = new StructType()
                .add("event_id", DataTypes.StringType)
                .add("product_id", DataTypes.StringType)
                .add("duration_ms", DataTypes.LongType)
                .add("event_time", DataTypes.TimestampType);
        Path lake = dir.resolve("broken");
        spark.createDataFrame(List.of(RowFactory.create("q1", "p7", 10L, ts("2026-11-21T06:00:00Z"))), noRevenue)
                .coalesce(1).write().parquet(lake.toString());

        assertThatThrownBy(() -> ImportStage.run(spark, config, lake.toUri().toString(), ImportFormat.PARQUET, Clock.systemUTC()))
                .isInstanceOf(MasterDatasetException.class)
                .hasMessageContaining("Parquet file " + lake.toUri().toString().replace("file:///", "file:/"))
                .hasMessageContaining("lacks required column(s) [revenue]; it has [event_id, product_id, duration_ms, event_time]");
    }

    private static Timestamp ts(String instant) {
        return Timestamp.from(Instant.parse(instant));
    }
}
