package io.lambdaplatform.batch;

import io.lambdaplatform.batch.internal.IdentityFingerprint;
import io.lambdaplatform.batch.internal.ManifestFiles;
import io.lambdaplatform.batch.internal.Observed;
import io.lambdaplatform.batch.internal.ParquetColumns;
import io.lambdaplatform.batch.internal.RecordJudge;
import io.lambdaplatform.model.EventCodec;
import io.lambdaplatform.model.EventRules;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameWriter;
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
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.date_from_unix_date;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
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
 * (LogAppendTime), {@code partition}, {@code offset}, and {@code ingest_eff}: the record's ingest time in the
 * platform's sense, the running maximum of LogAppendTime over its partition up to its offset (monotone in the
 * offset even when a broker's clock steps back), then each record's verdict by {@code EventCodec} when it was archived
 * ({@link RecordJudge#VERDICT}: {@code valid}, {@code rejection_reason}, {@code rejection_detail} and the decoded
 * event's fields), and the {@link IdentityFingerprint} of each valid record ({@code identity_fp_high},
 * {@code identity_fp_low}). Ranges archived before that column existed read their {@code ingest_time} as
 * {@code ingest_eff}; ranges archived before records were judged, or judged with other rules, are decoded from their
 * raw bytes; ranges archived before fingerprints were stored are fingerprinted when read. A range directory without
 * a manifest entry is the leftover of a run that did not finish; it is never read and the next run removes it.
 * Rewriting a range replaces only that range's directory.
 */
public final class MasterDataset {

    private static final Logger LOG = LoggerFactory.getLogger(MasterDataset.class);

    public static final String KEY = "key";
    public static final String VALUE = "value";
    public static final String INGEST_TIME = "ingest_time";
    public static final String PARTITION = "partition";
    public static final String OFFSET = "offset";
    /** Running maximum of LogAppendTime over the partition up to the record: the ingest time that orders and cuts. */
    public static final String INGEST_EFF = "ingest_eff";
    public static final String INGEST_DATE = "ingest_date";
    /** Ingest time ({@link #INGEST_EFF}) in epoch milliseconds, as {@link #records} returns it. */
    public static final String INGEST_MILLIS = "ingest_ms";

    /** The columns every file of the master dataset must have; files may have more, in any order. */
    public static final StructType SCHEMA = new StructType()
            .add(KEY, DataTypes.BinaryType, true)
            .add(VALUE, DataTypes.BinaryType, true)
            .add(INGEST_TIME, DataTypes.TimestampType, false)
            .add(PARTITION, DataTypes.IntegerType, false)
            .add(OFFSET, DataTypes.LongType, false);

    /** The columns of files written since ranges carry {@link #INGEST_EFF}. */
    public static final StructType EFF_SCHEMA = SCHEMA.add(INGEST_EFF, DataTypes.TimestampType, false);

    /** The columns a recompute reads of a range judged on archiving: no raw bytes. */
    private static final StructType TYPED_READ_SCHEMA = new StructType()
            .add(INGEST_EFF, DataTypes.TimestampType, false)
            .add(PARTITION, DataTypes.IntegerType, false)
            .add(OFFSET, DataTypes.LongType, false)
            .add(RecordJudge.VERDICT.apply(RecordJudge.VALID))
            .add(RecordJudge.VERDICT.apply(RecordJudge.REJECTION_REASON))
            .add(RecordJudge.VERDICT.apply(EventCodec.PRODUCT_ID))
            .add(RecordJudge.VERDICT.apply(EventCodec.EVENT_ID))
            .add(RecordJudge.VERDICT.apply(EventCodec.USER_ID))
            .add(RecordJudge.VERDICT.apply(EventCodec.EVENT_TIME))
            .add(RecordJudge.VERDICT.apply(EventCodec.REVENUE))
            .add(RecordJudge.VERDICT.apply(EventCodec.DURATION_MS));

    /**
     * The columns of {@link #judged}: {@code ingest_ms} (the ingest_eff in epoch milliseconds), {@code partition},
     * {@code offset}, the verdict ({@code valid}, {@code rejection_reason}) and the decoded event's {@code product_id},
     * {@code event_id}, {@code user_id}, {@code event_time}, {@code revenue}, {@code duration_ms} (null for an invalid
     * record; {@code user_id} also for an event that names no user).
     */
    public static final List<String> JUDGED_COLUMNS = List.of(INGEST_MILLIS, PARTITION, OFFSET, RecordJudge.VALID,
            RecordJudge.REJECTION_REASON, EventCodec.PRODUCT_ID, EventCodec.EVENT_ID, EventCodec.USER_ID, EventCodec.EVENT_TIME,
            EventCodec.REVENUE, EventCodec.DURATION_MS);

    private static final long DAY_MILLIS = 86_400_000L;

    /**
     * Parquet's writer settings for the range files (Hadoop keys, {@code #column} for one column): no dictionary for
     * the columns whose values are (nearly) all distinct, where the writer would fill a dictionary page and then fall
     * back to plain encoding anyway, and no min/max statistics of the raw bytes and of the identifiers, texts and
     * fingerprints, which no query filters on (a page's range of event ids says nothing).
     */
    private static final Map<String, String> PARQUET_OPTIONS = Stream.concat(
            Stream.of(VALUE, OFFSET, EventCodec.EVENT_ID, EventCodec.EVENT_TIME, EventCodec.DURATION_MS, IdentityFingerprint.HIGH,
                    IdentityFingerprint.LOW).map(column -> "parquet.enable.dictionary#" + column),
            Stream.of(KEY, VALUE, RecordJudge.REJECTION_DETAIL, EventCodec.EVENT_ID, EventCodec.USER_ID, IdentityFingerprint.HIGH,
                    IdentityFingerprint.LOW).map(column -> "parquet.column.statistics.enabled#" + column))
            .collect(Collectors.toUnmodifiableMap(key -> key, key -> "false"));

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
     * Writes one range without Kafka offsets (an import, a test), replacing any earlier files of the same range,
     * then records it in the manifest. Its {@code ingest_eff} is {@code ingest_time} unless the records have it.
     *
     * @param records columns {@link #SCHEMA}, optionally {@link #INGEST_EFF}
     */
    public ArchivedRange write(String rangeId, ArchivedRange.Source source, Instant from, Instant to, String origin,
            Dataset<Row> records) {
        long count = writeFiles(rangeId, records);
        ArchivedRange range = new ArchivedRange(rangeId, source, from, to, count, Instant.now(), origin, List.of(), List.of(), true,
                EventRules.VERSION, true);
        commit(range);
        return range;
    }

    /**
     * Writes the files of one range, replacing any earlier files of the same range; nobody reads them until
     * {@link #commit} records the range in the manifest. Every record is judged with the current rules
     * ({@link EventRules#VERSION}) on the way: the files hold the raw bytes, the {@link RecordJudge#VERDICT} columns and the
     * {@link IdentityFingerprint} of each valid record.
     *
     * @param records columns {@link #SCHEMA}, optionally {@link #INGEST_EFF} ({@code ingest_time} if absent)
     * @return the records written
     */
    public long writeFiles(String rangeId, Dataset<Row> records) {
        Column eff = List.of(records.columns()).contains(INGEST_EFF) ? col(INGEST_EFF) : col(INGEST_TIME);
        Dataset<Row> raw = records.select(col(KEY), col(VALUE), col(INGEST_TIME), col(PARTITION), col(OFFSET), eff.as(INGEST_EFF));
        return writeJudgedFiles(rangeId, RecordJudge.judge(raw, KEY, VALUE));
    }

    /**
     * {@link #writeFiles} of records judged already, with the current rules: the archive judges each record in the pass
     * that reads it ({@link io.lambdaplatform.batch.internal.IngestClock}).
     *
     * @param judged columns {@link #EFF_SCHEMA}, then {@link RecordJudge#VERDICT}
     * @return the records written
     */
    long writeJudgedFiles(String rangeId, Dataset<Row> judged) {
        Observation written = new Observation("range " + rangeId);
        Dataset<Row> withDate = IdentityFingerprint.stored(judged)
                .withColumn(INGEST_DATE, ingestDate(col(INGEST_TIME)))
                .observe(written, count(lit(1)).as("records"));
        Path target = rangePath(rangeId);
        DataFrameWriter<Row> writer = withDate.write()
                .mode(SaveMode.Overwrite)
                .partitionBy(INGEST_DATE);
        PARQUET_OPTIONS.forEach(writer::option);
        writer.parquet(target.toString());
        long count = Observed.count(Observed.metrics(written), "records");
        LOG.info("Wrote {} records of range {} to {}", count, rangeId, target);
        return count;
    }

    /** Records a range whose files are written in the manifest: from now on it is part of the master dataset. */
    public void commit(ArchivedRange range) {
        ManifestFiles.write(fileSystem(), new Path(root, "_manifest"), range);
        LOG.info("Archived range {} ({} records, {} partitions, {} holes)", range.id(), range.records(), range.offsets().size(),
                range.holes().size());
    }

    /**
     * Where the archive of each partition continues: its offsets in the newest Kafka range that lists it. When
     * no range lists offsets (a master dataset archived before ranges did), they are derived once from the
     * archived records: the highest offset + 1 and the highest ingest time of each partition.
     */
    public Map<Integer, PartitionOffsets> archivedPositions() {
        List<ArchivedRange> kafka = manifest().stream().filter(range -> range.source() == ArchivedRange.Source.KAFKA).toList();
        Map<Integer, PartitionOffsets> positions = new TreeMap<>();
        for (ArchivedRange range : kafka) {                           // oldest first: newer entries win
            range.offsets().forEach(partition -> positions.put(partition.partition(), partition));
        }
        List<ArchivedRange> legacy = kafka.stream().filter(range -> range.offsets().isEmpty() && range.records() > 0).toList();
        if (!positions.isEmpty() || legacy.isEmpty()) {
            return positions;
        }
        LOG.warn("The master dataset's {} Kafka range(s) record no offsets (archived by timestamp): deriving where each partition "
                + "continues from the archived records (highest offset + 1), once", legacy.size());
        List<Row> rows = spark.read()
                .schema(SCHEMA)
                .option("basePath", eventsRoot().toString())
                .parquet(legacy.stream().map(range -> rangePath(range.id()).toString()).toArray(String[]::new))
                .groupBy(col(PARTITION))
                .agg(max(col(OFFSET)).as("last"), max(unix_millis(col(INGEST_TIME))).as("last_ms"))
                .collectAsList();
        for (Row row : rows) {
            int partition = row.getInt(0);
            long next = row.getLong(1) + 1;
            positions.put(partition, new PartitionOffsets(partition, next, next, Instant.ofEpochMilli(row.getLong(2))));
            LOG.warn("Partition {}: archived up to offset {} (derived)", partition, next);
        }
        return positions;
    }

    /**
     * The records of {@code ranges} as they were archived, columns {@link #SCHEMA}: the raw key and value, LogAppendTime,
     * partition and offset (the replay feed, {@link ReplayFeedStage}).
     */
    public Dataset<Row> raw(List<ArchivedRange> ranges) {
        return read(paths(ranges), SCHEMA);
    }

    /**
     * The judged records of every completely written range with ingest time ({@code ingest_eff}) before {@code cutoff}:
     * columns {@link #JUDGED_COLUMNS}. Ranges judged with the current {@link EventRules#VERSION} are read from their
     * typed columns only (Parquet reads no other column); the raw bytes of the others (judged with other rules, or
     * archived before records were judged) are decoded again, and logged.
     *
     * @throws MasterDatasetException naming the file when a file lacks one of the columns it must have
     */
    public Judged judged(Instant cutoff) {
        return judged(manifest(), Optional.empty(), cutoff);
    }

    /** {@link #judged(Instant)} of some ranges only. */
    public Judged judged(List<ArchivedRange> ranges, Instant cutoff) {
        return judged(ranges, Optional.empty(), cutoff);
    }

    /**
     * {@link #judged(Instant)} of some ranges only, and of their records with ingest time in {@code [from, cutoff)}: what an
     * incremental run reads.
     */
    public Judged judged(List<ArchivedRange> ranges, Instant from, Instant cutoff) {
        return judged(ranges, Optional.of(from), cutoff);
    }

    private Judged judged(List<ArchivedRange> manifest, Optional<Instant> from, Instant cutoff) {
        List<ArchivedRange> ranges = manifest.stream().filter(range -> range.records() > 0).toList();
        List<ArchivedRange> typed = ranges.stream().filter(range -> range.judgedWith(EventRules.VERSION)).toList();
        List<ArchivedRange> decoded = ranges.stream().filter(range -> !range.judgedWith(EventRules.VERSION)).toList();
        Dataset<Row> typedRecords = read(paths(typed), TYPED_READ_SCHEMA)
                .select(col(INGEST_EFF), col(PARTITION), col(OFFSET), col(RecordJudge.VALID), col(RecordJudge.REJECTION_REASON),
                        col(EventCodec.PRODUCT_ID), col(EventCodec.EVENT_ID), col(EventCodec.USER_ID), col(EventCodec.EVENT_TIME),
                        col(EventCodec.REVENUE), col(EventCodec.DURATION_MS));
        Dataset<Row> records = judgedColumns(typedRecords, cutoff);
        List<ArchivedRange> ordered = decoded.stream().filter(ArchivedRange::ingestEff).toList();
        List<ArchivedRange> legacy = decoded.stream().filter(range -> !range.ingestEff()).toList();
        decoded.forEach(range -> LOG.info("Range {} is decoded from its raw records: {}", range.id(), range.rulesVersion() == ArchivedRange.RAW_ONLY
                ? "archived before records were judged on archiving"
                : "judged with rules version " + range.rulesVersion() + ", the rules are version " + EventRules.VERSION));
        if (!ordered.isEmpty()) {
            records = records.unionByName(judgedColumns(decode(read(paths(ordered), EFF_SCHEMA), cutoff), cutoff));
        }
        if (!legacy.isEmpty()) {
            LOG.info("{} range(s) were archived before ordering by the running maximum of LogAppendTime: their ingest_time "
                    + "orders and cuts them", legacy.size());
            Dataset<Row> raw = read(paths(legacy), SCHEMA).withColumn(INGEST_EFF, col(INGEST_TIME));
            records = records.unionByName(judgedColumns(decode(raw, cutoff), cutoff));
        }
        if (from.isPresent()) {
            records = records.where(col(INGEST_MILLIS).geq(from.get().toEpochMilli()));
        }
        return new Judged(records, decoded);
    }

    /**
     * The {@link IdentityFingerprint} of every valid record of these ranges with ingest time below {@code cutoff}: columns
     * {@code identity_fp_high} and {@code identity_fp_low}, one row per record (copies repeat). Of a range archived with
     * fingerprints under the current rules Parquet reads the two fingerprint columns (and the ingest time when the range
     * reaches the cutoff); any other range is read as {@link #judged} reads it, and its identities are hashed.
     */
    public Dataset<Row> identities(List<ArchivedRange> ranges, Instant cutoff) {
        List<ArchivedRange> nonEmpty = ranges.stream().filter(range -> range.records() > 0).toList();
        List<ArchivedRange> stored = nonEmpty.stream().filter(range -> range.fingerprintedWith(EventRules.VERSION)).toList();
        List<ArchivedRange> hashed = nonEmpty.stream().filter(range -> !range.fingerprintedWith(EventRules.VERSION)).toList();
        List<ArchivedRange> reaching = RecomputePlan.reaching(stored, cutoff);
        StructType fingerprints = new StructType()
                .add(IdentityFingerprint.HIGH, DataTypes.LongType, true)
                .add(IdentityFingerprint.LOW, DataTypes.LongType, true);
        Column[] columns = {col(IdentityFingerprint.HIGH), col(IdentityFingerprint.LOW)};
        Dataset<Row> identities = read(paths(stored.stream().filter(range -> !reaching.contains(range)).toList()), fingerprints)
                .select(columns);
        if (!reaching.isEmpty()) {
            identities = identities.unionByName(read(paths(reaching), fingerprints.add(INGEST_EFF, DataTypes.TimestampType, false))
                    .where(unix_millis(col(INGEST_EFF)).lt(cutoff.toEpochMilli()))
                    .select(columns));
        }
        identities = identities.where(col(IdentityFingerprint.HIGH).isNotNull());
        if (!hashed.isEmpty()) {
            LOG.info("{} range(s) store no identity fingerprints of the current rules (archived before they were stored, or judged "
                    + "with other rules): their identities are hashed as they are read", hashed.size());
            identities = identities.unionByName(judged(hashed, cutoff).records().where(col(RecordJudge.VALID))
                    .select(IdentityFingerprint.high().as(IdentityFingerprint.HIGH), IdentityFingerprint.low().as(IdentityFingerprint.LOW)));
        }
        return identities;
    }

    /**
     * The records of these ranges with ingest time below {@code cutoff}, counted: reads only the ingest-time column.
     */
    public long countBelow(List<ArchivedRange> ranges, Instant cutoff) {
        List<ArchivedRange> nonEmpty = ranges.stream().filter(range -> range.records() > 0).toList();
        List<ArchivedRange> ordered = nonEmpty.stream().filter(ArchivedRange::ingestEff).toList();
        List<ArchivedRange> legacy = nonEmpty.stream().filter(range -> !range.ingestEff()).toList();
        long below = 0;
        if (!ordered.isEmpty()) {
            below += read(paths(ordered), new StructType().add(INGEST_EFF, DataTypes.TimestampType, false))
                    .where(unix_millis(col(INGEST_EFF)).lt(cutoff.toEpochMilli())).count();
        }
        if (!legacy.isEmpty()) {
            below += read(paths(legacy), new StructType().add(INGEST_TIME, DataTypes.TimestampType, false))
                    .where(unix_millis(col(INGEST_TIME)).lt(cutoff.toEpochMilli())).count();
        }
        return below;
    }

    /**
     * What {@link #judged} reads.
     *
     * @param records columns {@link #JUDGED_COLUMNS}
     * @param decoded the ranges whose raw records it decodes because they were not judged with the current rules
     */
    public record Judged(Dataset<Row> records, List<ArchivedRange> decoded) {

        public Judged {
            requireNonNull(records, "records is null");
            decoded = List.copyOf(requireNonNull(decoded, "decoded is null"));
        }
    }

    /** Raw records below the cutoff, judged: the cutoff first, so that records above it are never decoded. */
    private static Dataset<Row> decode(Dataset<Row> raw, Instant cutoff) {
        return RecordJudge.judge(raw.where(unix_millis(col(INGEST_EFF)).lt(cutoff.toEpochMilli())), KEY, VALUE);
    }

    private static Dataset<Row> judgedColumns(Dataset<Row> records, Instant cutoff) {
        return records
                .select(unix_millis(col(INGEST_EFF)).as(INGEST_MILLIS), col(PARTITION), col(OFFSET), col(RecordJudge.VALID),
                        col(RecordJudge.REJECTION_REASON), col(EventCodec.PRODUCT_ID), col(EventCodec.EVENT_ID),
                        col(EventCodec.USER_ID), col(EventCodec.EVENT_TIME), col(EventCodec.REVENUE), col(EventCodec.DURATION_MS))
                .where(col(INGEST_MILLIS).lt(cutoff.toEpochMilli()));
    }

    private List<String> paths(List<ArchivedRange> ranges) {
        return ranges.stream().map(range -> rangePath(range.id()).toString()).toList();
    }

    private Dataset<Row> read(List<String> paths, StructType schema) {
        if (paths.isEmpty()) {
            return spark.createDataFrame(List.of(), schema);
        }
        ParquetColumns.requireColumns(spark.sparkContext().hadoopConfiguration(), paths, List.of(schema.fieldNames()));
        return spark.read()
                .schema(schema)
                .option("basePath", eventsRoot().toString())
                .parquet(paths.toArray(String[]::new));
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
