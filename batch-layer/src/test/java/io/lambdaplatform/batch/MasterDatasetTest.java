package io.lambdaplatform.batch;

import io.lambdaplatform.batch.internal.IdentityFingerprint;
import io.lambdaplatform.batch.internal.ParquetColumns;
import io.lambdaplatform.model.EventRules;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.sql.Dataset;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static io.lambdaplatform.batch.MasterRecords.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MasterDatasetTest {

    private final SparkSession spark = TestSpark.session();
    private Path dir;
    private MasterDataset master;

    @BeforeEach
    void setUp(@TempDir Path tempDir) {
        dir = tempDir;
        master = MasterDataset.at(spark, dir.resolve("master").toUri().toString());
    }

    @Test
    void writesEachRangeToItsOwnDirectoryPartitionedByIngestDateAndRecordsItInTheManifest() throws Exception {
        ArchivedRange range = new MasterRecords()
                .add(event("a", "p1", "1.00", 1, "2026-11-23T23:59:00Z"), "2026-11-23T23:59:59.999Z", 0, 0)
                .add(event("b", "p1", "1.00", 1, "2026-11-24T00:00:00Z"), "2026-11-24T00:00:00Z", 0, 1)
                .writeRange(spark, master.toString().replace("MasterDataset[", "").replace("]", ""), "1970-01-01T00:00:00Z", "2026-11-24T01:00:00Z");

        assertThat(range.id()).isEqualTo("kafka_19700101T000000.000Z_20261124T010000.000Z");
        assertThat(range.records()).isEqualTo(2);
        assertThat(master.manifest()).containsExactly(range);
        assertThat(master.archivedUntil()).isEqualTo(Instant.parse("2026-11-24T01:00:00Z"));
        try (Stream<Path> days = Files.list(dir.resolve("master/events/range=" + range.id()))) {
            assertThat(days.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("ingest_date")).sorted())
                    .containsExactly("ingest_date=2026-11-23", "ingest_date=2026-11-24");
        }
    }

    @Test
    void rewritingARangeReplacesOnlyThatRangesFiles() {
        String root = dir.resolve("master").toUri().toString();
        new MasterRecords().add(event("a", "p1", "1.00", 1, "2026-11-24T00:00:00Z"), "2026-11-24T00:00:01Z", 0, 0)
                .writeRange(spark, root, "1970-01-01T00:00:00Z", "2026-11-24T01:00:00Z");
        new MasterRecords().add(event("b", "p1", "1.00", 1, "2026-11-24T01:00:00Z"), "2026-11-24T01:00:01Z", 0, 1)
                .writeRange(spark, root, "2026-11-24T01:00:00Z", "2026-11-24T02:00:00Z");

        new MasterRecords().add(event("b", "p1", "1.00", 1, "2026-11-24T01:00:00Z"), "2026-11-24T01:00:01Z", 0, 1)
                .add(event("c", "p1", "1.00", 1, "2026-11-24T01:00:00Z"), "2026-11-24T01:00:02Z", 0, 2)
                .writeRange(spark, root, "2026-11-24T01:00:00Z", "2026-11-24T02:00:00Z");

        assertThat(master.manifest()).extracting(ArchivedRange::records).containsExactly(1L, 2L);
        assertThat(master.judged(Instant.parse("2026-11-24T03:00:00Z")).records().count()).isEqualTo(3);
    }

    @Test
    void filesWithExtraOrReorderedColumnsStillRead() {
        StructType evolved = new StructType()
                .add("offset", DataTypes.LongType)
                .add("comment", DataTypes.StringType)
                .add("value", DataTypes.BinaryType)
                .add("partition", DataTypes.IntegerType)
                .add("key", DataTypes.BinaryType)
                .add("ingest_time", DataTypes.TimestampType);
        writeRangeFiles("kafka_evolved", evolved, RowFactory.create(7L, "extra", "v".getBytes(StandardCharsets.UTF_8), 2,
                "k".getBytes(StandardCharsets.UTF_8), Timestamp.from(Instant.parse("2026-11-24T00:00:01Z"))));

        List<Row> rows = master.judged(Instant.parse("2026-11-25T00:00:00Z")).records().collectAsList();

        assertThat(rows).hasSize(1);
        assertThat((Object) rows.get(0).getAs("valid")).isEqualTo(false);
        assertThat((Object) rows.get(0).getAs("rejection_reason")).isEqualTo("malformed-json");
        assertThat((Object) rows.get(0).getAs("ingest_ms")).isEqualTo(Instant.parse("2026-11-24T00:00:01Z").toEpochMilli());
        assertThat((Object) rows.get(0).getAs("partition")).isEqualTo(2);
        assertThat((Object) rows.get(0).getAs("offset")).isEqualTo(7L);
    }

    @Test
    void aFileWithoutARequiredColumnIsAnErrorNamingTheFile() {
        StructType noOffset = new StructType()
                .add("key", DataTypes.BinaryType)
                .add("value", DataTypes.BinaryType)
                .add("ingest_time", DataTypes.TimestampType)
                .add("partition", DataTypes.IntegerType);
        writeRangeFiles("kafka_broken", noOffset, RowFactory.create(null, "v".getBytes(StandardCharsets.UTF_8),
                Timestamp.from(Instant.parse("2026-11-24T00:00:01Z")), 0));

        assertThatThrownBy(() -> master.judged(Instant.parse("2026-11-25T00:00:00Z")))
                .isInstanceOf(MasterDatasetException.class)
                .hasMessageContaining("/master/events/range=kafka_broken/part-")
                .hasMessageContaining("lacks required column(s) [offset]; it has [key, value, ingest_time, partition]");
    }

    @Test
    void archivingJudgesEveryRecordOnceAndStoresTheVerdictAndTheDecodedFieldsBesideTheRawBytes() {
        String root = dir.resolve("master").toUri().toString();
        ArchivedRange range = new MasterRecords()
                .add(event("a", "p1", "-999999999999.99", 1_000_000_000_000L, "2026-11-24T00:00:00.123Z"), "2026-11-24T00:00:01Z", 0, 0)
                .raw("p1", "{not json", "2026-11-24T00:00:02Z", 0, 1)
                .writeRange(spark, root, "1970-01-01T00:00:00Z", "2026-11-24T01:00:00Z");

        List<Row> files = spark.read().parquet(master.rangePath(range.id()).toString()).orderBy("offset").collectAsList();

        assertThat(range.rulesVersion()).isEqualTo(EventRules.VERSION);
        assertThat(master.manifest()).extracting(ArchivedRange::rulesVersion).containsExactly(EventRules.VERSION);
        Row valid = files.get(0);
        assertThat(new String((byte[]) valid.getAs("value"), StandardCharsets.UTF_8)).contains("\"event_id\":\"a\"");
        assertThat((Object) valid.getAs("valid")).isEqualTo(true);
        assertThat((Object) valid.getAs("rejection_reason")).isNull();
        assertThat((Object) valid.getAs("event_id")).isEqualTo("a");
        assertThat((Object) valid.getAs("product_id")).isEqualTo("p1");
        assertThat((Object) valid.getAs("revenue")).isEqualTo(new BigDecimal("-999999999999.99"));
        assertThat((Object) valid.getAs("duration_ms")).isEqualTo(1_000_000_000_000L);
        assertThat(((Timestamp) valid.getAs("event_time")).toInstant()).isEqualTo(Instant.parse("2026-11-24T00:00:00.123Z"));
        Row invalid = files.get(1);
        assertThat((Object) invalid.getAs("valid")).isEqualTo(false);
        assertThat((Object) invalid.getAs("rejection_reason")).isEqualTo("malformed-json");
        assertThat((String) invalid.getAs("rejection_detail")).startsWith("value: ");
        assertThat((Object) invalid.getAs("event_id")).isNull();
        assertThat(master.judged(Instant.parse("2026-11-25T00:00:00Z")).decoded()).isEmpty();
    }

    @Test
    void rangeFilesHaveNoDictionaryForDistinctValuesAndNoStatisticsOfRawBytes() throws Exception {
        String root = dir.resolve("master").toUri().toString();
        MasterRecords records = new MasterRecords();
        for (int i = 0; i < 50; i++) {
            records.add(event("e-" + i, "p" + (i % 2), "1.00", i, "2026-11-24T00:00:00Z"), "2026-11-24T00:00:01Z", 0, i);
        }
        ArchivedRange range = records.writeRange(spark, root, "1970-01-01T00:00:00Z", "2026-11-24T01:00:00Z");
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        List<org.apache.hadoop.fs.Path> files = ParquetColumns.dataFiles(conf,
                List.of(master.rangePath(range.id()).toString()));

        assertThat(files).isNotEmpty();
        for (org.apache.hadoop.fs.Path file : files) {
            Map<String, ColumnChunkMetaData> columns = new HashMap<>();
            try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(file, conf))) {
                reader.getFooter().getBlocks().get(0).getColumns().forEach(column -> columns.put(column.getPath().toDotString(), column));
            }
            for (String distinct : List.of("value", "offset", "event_id", "event_time", "duration_ms")) {
                assertThat(columns.get(distinct).getEncodings()).as(distinct).doesNotContain(Encoding.PLAIN_DICTIONARY, Encoding.RLE_DICTIONARY);
            }
            assertThat(columns.get("product_id").getEncodings()).containsAnyOf(Encoding.PLAIN_DICTIONARY, Encoding.RLE_DICTIONARY);
            for (String unfiltered : List.of("key", "value", "event_id", "user_id", "rejection_detail")) {
                assertThat(columns.get(unfiltered).getStatistics().isEmpty()).as(unfiltered).isTrue();
            }
            assertThat(columns.get("product_id").getStatistics().minAsString()).isEqualTo("p0");
            assertThat(columns.get("offset").getStatistics().isEmpty()).isFalse();
        }
    }

    @Test
    void rangesJudgedWithOtherRulesOrArchivedRawOnlyAreDecodedFromTheirRawBytes() {
        String root = dir.resolve("master").toUri().toString();
        ArchivedRange current = new MasterRecords()
                .add(event("a", "p1", "1.00", 1, "2026-11-24T00:00:00Z"), "2026-11-24T00:00:01Z", 0, 0)
                .writeRange(spark, root, "1970-01-01T00:00:00Z", "2026-11-24T01:00:00Z");
        // Judged under rules version 0 + a different verdict: the stored columns say invalid, the raw bytes are valid.
        ArchivedRange older = new MasterRecords()
                .add(event("b", "p1", "2.00", 2, "2026-11-24T00:00:00Z"), "2026-11-24T01:00:01Z", 0, 1)
                .writeRange(spark, root, "2026-11-24T01:00:00Z", "2026-11-24T02:00:00Z");
        spark.read().parquet(master.rangePath(older.id()).toString())
                .withColumn("valid", org.apache.spark.sql.functions.lit(false))
                .withColumn("rejection_reason", org.apache.spark.sql.functions.lit("invalid-value"))
                .write().mode(SaveMode.Overwrite).parquet(dir.resolve("rewritten").toUri().toString());
        replaceRangeFiles(older.id(), dir.resolve("rewritten"));
        recordInManifest(new ArchivedRange(older.id(), older.source(), older.from(), older.to(), 1, older.writtenAt(), older.origin(),
                List.of(), List.of(), true, EventRules.VERSION + 1, true));
        writeRangeFiles("kafka_raw", MasterDataset.SCHEMA, RowFactory.create("p1".getBytes(StandardCharsets.UTF_8),
                io.lambdaplatform.model.EventCodec.encodeToString(event("c", "p1", "3.00", 3, "2026-11-24T00:00:00Z"))
                        .getBytes(StandardCharsets.UTF_8), Timestamp.from(Instant.parse("2026-11-24T00:30:00Z")), 1, 0L));

        MasterDataset.Judged judged = master.judged(Instant.parse("2026-11-25T00:00:00Z"));
        List<Row> rows = judged.records().orderBy("event_id").collectAsList();

        assertThat(judged.decoded()).extracting(ArchivedRange::id).containsExactlyInAnyOrder(older.id(), "kafka_raw");
        assertThat(judged.decoded()).extracting(ArchivedRange::id).doesNotContain(current.id());
        assertThat(rows).extracting(row -> row.getAs("event_id") + " " + row.getAs("valid") + " " + row.getAs("revenue"))
                .containsExactly("a true 1.00", "b true 2.00", "c true 3.00");
    }

    @Test
    void identitiesAreTheFingerprintsOfTheValidRecordsBelowTheCutoffStoredOrHashedFromRangesArchivedWithout() {
        String root = dir.resolve("master").toUri().toString();
        ArchivedRange range = new MasterRecords()
                .add(event("a", "p1", "1.00", 1, "2026-11-24T00:00:00Z"), "2026-11-24T00:00:01Z", 0, 0)
                .add(event("a", "p1", "2.00", 2, "2026-11-24T00:00:00Z"), "2026-11-24T00:00:02Z", 1, 0)
                // The same characters split otherwise between product and event id: another identity.
                .add(event("c", "ab", "1.00", 1, "2026-11-24T00:00:00Z"), "2026-11-24T00:00:03Z", 0, 1)
                .add(event("bc", "a", "1.00", 1, "2026-11-24T00:00:00Z"), "2026-11-24T00:00:04Z", 0, 2)
                .raw("p1", "{not json", "2026-11-24T00:00:05Z", 0, 3)
                .add(event("d", "p1", "1.00", 1, "2026-11-24T00:00:00Z"), "2026-11-24T00:30:00Z", 0, 4)
                .writeRange(spark, root, "1970-01-01T00:00:00Z", "2026-11-24T01:00:00Z");
        Instant cutoff = Instant.parse("2026-11-24T00:30:00Z");

        Dataset<Row> stored = master.identities(List.of(range), cutoff);
        List<Row> fromStored = stored.collectAsList();
        List<Row> fromHashed = master.identities(List.of(MasterRecords.withoutFingerprints(spark, root, range)), cutoff).collectAsList();

        assertThat(stored.columns()).containsExactly(IdentityFingerprint.HIGH, IdentityFingerprint.LOW);
        assertThat(stored.queryExecution().executedPlan().toString()).contains("ReadSchema: struct<identity_fp_high:bigint,identity_fp_low:bigint,"
                + "ingest_eff:timestamp>").doesNotContain("event_id");
        // Both copies of a; ab/c and a/bc; not the invalid record, not d (at the cutoff).
        assertThat(fromStored).hasSize(4).containsExactlyInAnyOrderElementsOf(fromHashed);
        assertThat(Set.copyOf(fromStored)).hasSize(3);
        assertThat(fromStored).allSatisfy(row -> assertThat(List.of(row.getLong(0), row.getLong(1))).doesNotContainNull());
    }

    private void replaceRangeFiles(String id, Path files) {
        try {
            org.apache.commons.io.FileUtils.deleteDirectory(dir.resolve("master/events/range=" + id).toFile());
            org.apache.commons.io.FileUtils.copyDirectory(files.toFile(), dir.resolve("master/events/range=" + id).toFile());
        }
        catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void recordInManifest(ArchivedRange range) {
        org.apache.hadoop.fs.Path manifest = new org.apache.hadoop.fs.Path(dir.resolve("master/_manifest").toUri());
        try {
            io.lambdaplatform.batch.internal.ManifestFiles.write(manifest.getFileSystem(spark.sparkContext().hadoopConfiguration()), manifest, range);
        }
        catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void writeRangeFiles(String id, StructType schema, Row row) {
        spark.createDataFrame(List.of(row), schema).coalesce(1).write().mode(SaveMode.Overwrite)
                .parquet(master.rangePath(id).toString());
        org.apache.hadoop.fs.Path manifest = new org.apache.hadoop.fs.Path(dir.resolve("master/_manifest").toUri());
        try {
            io.lambdaplatform.batch.internal.ManifestFiles.write(manifest.getFileSystem(spark.sparkContext().hadoopConfiguration()), manifest,
                    new ArchivedRange(id, ArchivedRange.Source.KAFKA, Instant.EPOCH, Instant.parse("2026-11-24T01:00:00Z"), 1, Instant.EPOCH, "events"));
        }
        catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
