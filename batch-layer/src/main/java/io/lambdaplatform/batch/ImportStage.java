package io.lambdaplatform.batch;

import io.lambdaplatform.batch.internal.Observed;
import io.lambdaplatform.batch.internal.ParquetColumns;
import io.lambdaplatform.model.EventCodec;
import io.lambdaplatform.model.EventVerdict;
import io.lambdaplatform.model.RejectionReason;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.monotonically_increasing_id;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.when;

/**
 * Back-fills the master dataset from event files (JSON lines or Parquet), e.g. a data-lake path.
 *
 * <p>Every row is judged by {@link EventCodec#decode(byte[])}; valid rows are added as their own range with
 * key = product id, a synthetic ingest time = the import time (so they enter the views with the first run
 * whose cutoff passes it, and a published version never changes under its cutoff), partition -1 and a
 * unique increasing row id as offset. Invalid rows are counted by reason and not stored.
 */
public final class ImportStage {

    private static final Logger LOG = LoggerFactory.getLogger(ImportStage.class);
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);
    /** Columns an imported Parquet file must have; {@code user_id} is optional, anything else is ignored. */
    public static final List<String> REQUIRED_COLUMNS = List.of(
            EventCodec.EVENT_ID, EventCodec.PRODUCT_ID, EventCodec.REVENUE, EventCodec.DURATION_MS, EventCodec.EVENT_TIME);
    /** Partition number of imported rows: no Kafka partition. */
    public static final int IMPORT_PARTITION = -1;

    private static final StructType JUDGED = new StructType()
            .add("key", DataTypes.BinaryType, true)
            .add("value", DataTypes.BinaryType, true)
            .add("reason", DataTypes.StringType, true)
            .add("detail", DataTypes.StringType, true);

    private ImportStage() {}

    public static ImportReport run(SparkSession spark, BatchConfig config, String path, ImportFormat format, Clock clock) {
        Instant started = clock.instant();
        Instant ingestTime = started.truncatedTo(ChronoUnit.MILLIS);
        String rangeId = "import_" + ID_TIME.format(ingestTime);
        Dataset<Row> values = switch (format) {
            case JSON -> jsonLines(spark, path);
            case PARQUET -> parquet(spark, path);
        };
        JavaRDD<Row> judged = values.javaRDD().map(ImportStage::judge);
        Observation outcome = new Observation("import " + rangeId);
        List<Column> metrics = new ArrayList<>();
        metrics.add(count_if(col("reason").isNull()).as("accepted"));
        for (RejectionReason reason : RejectionReason.values()) {
            metrics.add(count_if(col("reason").equalTo(reason.code())).as("n:" + reason.code()));
            metrics.add(max(when(col("reason").equalTo(reason.code()), col("detail"))).as("e:" + reason.code()));
        }
        Dataset<Row> accepted = spark.createDataFrame(judged, JUDGED)
                .observe(outcome, metrics.get(0), metrics.subList(1, metrics.size()).toArray(Column[]::new))
                .where(col("reason").isNull())
                .select(col("key"), col("value"),
                        lit(Timestamp.from(ingestTime)).as(MasterDataset.INGEST_TIME),
                        lit(IMPORT_PARTITION).as(MasterDataset.PARTITION),
                        monotonically_increasing_id().as(MasterDataset.OFFSET));
        ArchivedRange range = MasterDataset.at(spark, config.masterPath())
                .write(rangeId, ArchivedRange.Source.IMPORT, ingestTime, ingestTime, path, accepted);

        Map<String, Object> observed = Observed.metrics(outcome);
        Map<String, Long> rejected = new TreeMap<>();
        Map<String, String> examples = new TreeMap<>();
        for (RejectionReason reason : RejectionReason.values()) {
            long n = Observed.count(observed, "n:" + reason.code());
            if (n > 0) {
                rejected.put(reason.code(), n);
                examples.put(reason.code(), (String) observed.get("e:" + reason.code()));
            }
        }
        ImportReport report = new ImportReport(path, format, range, Observed.count(observed, "accepted"),
                new TreeMap<>(rejected), new TreeMap<>(examples), Duration.between(started, clock.instant()));
        LOG.info("Import of {}: {} accepted, {} rejected {}", path, report.accepted(), report.rejected(), report.rejectedByReason());
        return report;
    }

    /** Each line as it is; Spark's text source reads the files line by line, in parallel. */
    private static Dataset<Row> jsonLines(SparkSession spark, String path) {
        return spark.read().text(path).select(col("value"));
    }

    /**
     * Each row as the event's JSON. Files may have extra columns and any column order; a file without a
     * required column is an error that names it. Decimals stay exact, timestamps become ISO-8601 in UTC.
     */
    private static Dataset<Row> parquet(SparkSession spark, String path) {
        List<Path> files = ParquetColumns.requireColumns(spark.sparkContext().hadoopConfiguration(), List.of(path), REQUIRED_COLUMNS);
        if (files.isEmpty()) {
            throw new MasterDatasetException("No Parquet files found below " + path);
        }
        Dataset<Row> rows = spark.read().option("mergeSchema", "true").parquet(files.stream().map(Path::toString).toArray(String[]::new));
        List<String> columns = new ArrayList<>(REQUIRED_COLUMNS);
        if (Arrays.asList(rows.columns()).contains(EventCodec.USER_ID)) {
            columns.add(EventCodec.USER_ID);
        }
        return rows.select(to_json(struct(columns.stream().map(name -> col("`" + name + "`")).toArray(Column[]::new)),
                        Map.of("timestampFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX", "timeZone", "UTC"))
                .as("value"));
    }

    private static Row judge(Row line) {
        byte[] value = line.isNullAt(0) ? null : line.getString(0).getBytes(StandardCharsets.UTF_8);
        EventVerdict verdict = EventCodec.decode(value);
        if (verdict instanceof EventVerdict.Valid valid) {
            return RowFactory.create(valid.event().productId().getBytes(StandardCharsets.UTF_8), value, null, null);
        }
        var rejection = ((EventVerdict.Invalid) verdict).rejection();
        return RowFactory.create(null, null, rejection.reason().code(), rejection.detail());
    }
}
