package io.lambdaplatform.batch;

import io.lambdaplatform.batch.internal.ManifestFiles;
import io.lambdaplatform.batch.internal.Observed;
import io.lambdaplatform.batch.internal.ParquetColumns;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.date_from_unix_date;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.unix_millis;

/**
 * The immutable master dataset: every record ever ingested, raw, as Parquet below one root.
 *
 * <pre>
 * ROOT/events/range=&lt;id&gt;/ingest_date=YYYY-MM-DD/part-*.parquet   one directory per archived range
 * ROOT/_manifest/&lt;id&gt;.json                                         written after the range's files are committed
 * </pre>
 *
 * <p>Columns: {@code key} and {@code value} (the record's bytes, as Kafka had them), {@code ingest_time}
 * (LogAppendTime), {@code partition}, {@code offset}. A range directory without a manifest entry is the
 * leftover of a run that did not finish; it is never read and the next run removes it. Rewriting a range
 * replaces only that range's directory.
 */
public final class MasterDataset {

    private static final Logger LOG = LoggerFactory.getLogger(MasterDataset.class);

    public static final String KEY = "key";
    public static final String VALUE = "value";
    public static final String INGEST_TIME = "ingest_time";
    public static final String PARTITION = "partition";
    public static final String OFFSET = "offset";
    public static final String INGEST_DATE = "ingest_date";
    /** Ingest time in epoch milliseconds, as {@link #records} returns it. */
    public static final String INGEST_MILLIS = "ingest_ms";

    /** The columns every file of the master dataset must have; files may have more, in any order. */
    public static final StructType SCHEMA = new StructType()
            .add(KEY, DataTypes.BinaryType, true)
            .add(VALUE, DataTypes.BinaryType, true)
            .add(INGEST_TIME, DataTypes.TimestampType, false)
            .add(PARTITION, DataTypes.IntegerType, false)
            .add(OFFSET, DataTypes.LongType, false);

    private static final long DAY_MILLIS = 86_400_000L;

    private final SparkSession spark;
    private final Path root;

    private MasterDataset(SparkSession spark, Path root) {
        this.spark = requireNonNull(spark, "spark is null");
        this.root = requireNonNull(root, "root is null");
    }

    public static MasterDataset at(SparkSession spark, String rootUri) {
        return new MasterDataset(spark, new Path(requireNonNull(rootUri, "rootUri is null")));
    }

    public Path eventsRoot() {
        return new Path(root, "events");
    }

    public Path rangePath(String rangeId) {
        return new Path(eventsRoot(), "range=" + rangeId);
    }

    /** Every completely written range, oldest first. */
    public List<ArchivedRange> manifest() {
        return ManifestFiles.readAll(fileSystem(), new Path(root, "_manifest")).stream()
                .sorted(Comparator.comparing(ArchivedRange::to).thenComparing(ArchivedRange::id))
                .toList();
    }

    /** The end of the newest archived Kafka range: every record ingested before it is in the dataset. */
    public Instant archivedUntil() {
        return manifest().stream()
                .filter(range -> range.source() == ArchivedRange.Source.KAFKA)
                .map(ArchivedRange::to)
                .max(Comparator.naturalOrder())
                .orElse(Instant.EPOCH);
    }

    /** Deletes range directories that have no manifest entry: the files of runs that did not finish. */
    public List<String> removeIncompleteRanges() {
        Set<String> complete = manifest().stream().map(ArchivedRange::id).collect(Collectors.toSet());
        List<String> removed = new ArrayList<>();
        FileSystem fs = fileSystem();
        try {
            if (!fs.exists(eventsRoot())) {
                return removed;
            }
            for (FileStatus status : fs.listStatus(eventsRoot())) {
                String name = status.getPath().getName();
                if (status.isDirectory() && name.startsWith("range=") && !complete.contains(name.substring("range=".length()))) {
                    fs.delete(status.getPath(), true);
                    removed.add(name.substring("range=".length()));
                    LOG.warn("Removed incomplete range {} (no manifest entry: its run did not finish)", status.getPath());
                }
            }
        }
        catch (IOException e) {
            throw new MasterDatasetException("Cannot list or clean " + eventsRoot() + ": " + e.getMessage(), e);
        }
        return removed;
    }

    /**
     * Writes one range (replacing any earlier files of the same range), then records it in the manifest.
     *
     * @param records columns {@link #SCHEMA}
     */
    public ArchivedRange write(String rangeId, ArchivedRange.Source source, Instant from, Instant to, String origin,
            Dataset<Row> records) {
        Observation written = new Observation("range " + rangeId);
        Dataset<Row> withDate = records
                .select(col(KEY), col(VALUE), col(INGEST_TIME), col(PARTITION), col(OFFSET))
                .withColumn(INGEST_DATE, ingestDate(col(INGEST_TIME)))
                .observe(written, count(lit(1)).as("records"));
        Path target = rangePath(rangeId);
        withDate.write()
                .mode(SaveMode.Overwrite)
                .partitionBy(INGEST_DATE)
                .parquet(target.toString());
        long count = Observed.count(Observed.metrics(written), "records");
        ArchivedRange range = new ArchivedRange(rangeId, source, from, to, count, Instant.now(), origin);
        ManifestFiles.write(fileSystem(), new Path(root, "_manifest"), range);
        LOG.info("Archived range {} ({} records) to {}", rangeId, count, target);
        return range;
    }

    /**
     * The raw records of every completely written range with ingest time before {@code cutoff}: columns
     * {@code key}, {@code value}, {@code ingest_ms}, {@code partition}, {@code offset}.
     *
     * @throws MasterDatasetException naming the file when a file lacks one of the columns of {@link #SCHEMA}
     */
    public Dataset<Row> records(Instant cutoff) {
        List<String> paths = manifest().stream()
                .filter(range -> range.records() > 0 && range.from().isBefore(cutoff))
                .map(range -> rangePath(range.id()).toString())
                .toList();
        Dataset<Row> raw;
        if (paths.isEmpty()) {
            raw = spark.createDataFrame(List.of(), SCHEMA);
        }
        else {
            ParquetColumns.requireColumns(spark.sparkContext().hadoopConfiguration(), paths, List.of(SCHEMA.fieldNames()));
            raw = spark.read()
                    .schema(SCHEMA)
                    .option("basePath", eventsRoot().toString())
                    .parquet(paths.toArray(String[]::new));
        }
        return raw
                .select(col(KEY), col(VALUE), unix_millis(col(INGEST_TIME)).as(INGEST_MILLIS), col(PARTITION), col(OFFSET))
                .where(col(INGEST_MILLIS).lt(cutoff.toEpochMilli()));
    }

    private static Column ingestDate(Column ingestTime) {
        // Days since the epoch in UTC, independent of the session time zone.
        return date_from_unix_date(floor(unix_millis(ingestTime).divide(DAY_MILLIS)).cast(DataTypes.IntegerType));
    }

    private FileSystem fileSystem() {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        try {
            return root.getFileSystem(conf);
        }
        catch (IOException e) {
            throw new MasterDatasetException("Cannot open the file system of " + root + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "MasterDataset[" + root + "]";
    }
}
