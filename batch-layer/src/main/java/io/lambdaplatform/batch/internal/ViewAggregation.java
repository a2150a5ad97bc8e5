package io.lambdaplatform.batch.internal;

import io.lambdaplatform.batch.MasterDataset;
import io.lambdaplatform.model.DurationSketch;
import io.lambdaplatform.model.EventCodec;
import io.lambdaplatform.model.EventWindow;
import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.model.Measure;
import io.lambdaplatform.model.Metrics;
import io.lambdaplatform.model.SketchMeasure;
import io.lambdaplatform.model.Sketches;
import io.lambdaplatform.model.UserSketch;
import io.lambdaplatform.model.ViewDefinition;
import io.lambdaplatform.model.ViewKey;
import io.lambdaplatform.viewstore.PartitionSpan;
import io.lambdaplatform.viewstore.ViewRow;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructType;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.raise_error;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.shiftrightunsigned;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.unix_millis;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

/**
 * The batch views as Spark SQL over judged records ({@link MasterDataset#JUDGED_COLUMNS}): the first copy of every
 * event, then every {@link Measure} per product and window at every {@link Granularity}, each event into its window of
 * each granularity. The measures are taken from common-model's description: {@link Measure.Merge#COUNT} counts events,
 * {@link Measure.Merge#SUM} sums the event field exactly, and each {@link SketchMeasure} sketches its field with
 * common-model's own sketch ({@link SketchMeasure#sketcher()}: the {@link UserSketch} of {@code user_id}, the
 * {@link DurationSketch} of {@code duration_ms}); an incremental run merges its rows with the stored ones by
 * {@link io.lambdaplatform.model.Metrics#merge}. The views' columns: {@code product_id}, {@code granularity} (label),
 * {@code window_start_ms}, one column per measure ({@link Measure#column()}), one binary column per sketch measure
 * ({@link SketchMeasure#column()}).
 */
public final class ViewAggregation {

    public static final String GRANULARITY = "granularity";
    public static final String WINDOW_START_MS = "window_start_ms";
    /** Decimal sums of up to 38 digits: exact for far more events than a window can hold. */
    private static final int SUM_PRECISION = 38;
    private static final String COPY = "copy";
    /** The long the first copies are sorted by: a hash of the product in its high half, of the identity in its low half. */
    private static final String COPY_ORDER = "copy_order";
    private static final String EVENTS = "events";
    private static final String HIGH = "_high";
    private static final String LOW = "_low";
    /** A long in two halves: the sort long's product hash and identity hash, a summed value's high and low bits. */
    static final int PART_BITS = 32;
    static final long LOW_MASK = (1L << PART_BITS) - 1;
    /** Below this many events in a window, the sums of the values' 32-bit halves stay within a long. */
    private static final long MAX_EXACT_EVENTS = 1L << 31;

    private ViewAggregation() {}

    /**
     * The view rows of the valid, first copies among the judged records, in {@code partitions} Spark partitions by
     * product ({@link ViewPartitioner}): the records are shuffled once, and nothing after.
     */
    public static Dataset<Row> views(Dataset<Row> judged, int partitions) {
        return windows(firstCopies(ViewPartitioner.byProduct(judged.where(col(RecordJudge.VALID)), partitions)));
    }

    /**
     * The first copy of every event identity ({@code product_id}, {@code event_id}) among valid records placed by product,
     * by (ingest time, partition, offset), as in the speed layer: the first row of each identity in that order
     * ({@code row_number() = 1}, which Spark runs as a group limit over one sort, without building a row per copy).
     * The sort starts with one long ({@link #COPY_ORDER}), so that it compares longs, not strings with a common prefix: a
     * hash of the product in its high half, of the identity in its low half. So the first copies come out grouped by
     * that hash of the product, as {@link #windows} needs them. Columns {@value #COPY_ORDER}, {@code product_id},
     * {@code event_time} and each measure's and sketch measure's event field (so {@code user_id} too), every one from
     * the first copy.
     */
    static Dataset<Row> firstCopies(Dataset<Row> valid) {
        // The event's own fields order copies that tie on all three (none do in one log), so that the choice is always the same.
        List<Column> order = new ArrayList<>(List.of(col(MasterDataset.INGEST_MILLIS), col(MasterDataset.PARTITION),
                col(MasterDataset.OFFSET), col(EventCodec.EVENT_TIME)));
        List<Column> selected = new ArrayList<>(List.of(col(COPY_ORDER), col(EventCodec.PRODUCT_ID), col(EventCodec.EVENT_TIME)));
        for (String field : eventFields()) {
            order.add(col(field));
            selected.add(col(field));
        }
        Column productId = col(EventCodec.PRODUCT_ID);
        Column eventId = col(EventCodec.EVENT_ID);
        WindowSpec copies = Window.partitionBy(col(COPY_ORDER), productId, eventId).orderBy(order.toArray(Column[]::new));
        return valid.withColumn(COPY_ORDER, productHash().bitwiseOR(shiftrightunsigned(IdentityFingerprint.high(), PART_BITS)))
                .withColumn(COPY, row_number().over(copies))
                .where(col(COPY).equalTo(1))
                .select(selected.toArray(Column[]::new));
    }

    /** The high 32 bits of a hash of {@code product_id}, in the high half of a long. */
    private static Column productHash() {
        return xxhash64(col(EventCodec.PRODUCT_ID)).bitwiseAND(lit(~LOW_MASK));
    }

    /**
     * Every measure per product and window of every granularity, over events (one row each, columns {@code product_id},
     * {@code event_time} and the measures' fields), in {@code partitions} Spark partitions by product.
     */
    public static Dataset<Row> aggregate(Dataset<Row> events, int partitions) {
        return windows(ViewPartitioner.byProduct(events, partitions).withColumn(COPY_ORDER, productHash()));
    }

    /**
     * Every measure per product and window of every granularity, over events that are placed by product (every event of
     * a product in one Spark partition) and carry {@value #COPY_ORDER}: rows of {@link #viewSchema()}. Spark's generated
     * code takes each event's finest window and values; the events are sorted by {@value #COPY_ORDER} (a sort Spark leaves
     * out after {@link #firstCopies}, whose rows are in that order already), and {@link WindowPass} aggregates them in
     * one pass per Spark partition, each event into its window of every granularity. No shuffle: the rows of a
     * Cassandra partition are all in the task of their product. The sums are taken on longs: each value's unscaled long
     * is split into its high and low 32 bits, each part summed as a long, and the two sums combined into the exact
     * decimal. An unscaled value fits in 63 bits (the rules bound revenue and duration far below that), so the parts'
     * sums cannot overflow below 2<sup>31</sup> events in one window; a window of more fails the run rather than being
     * wrong.
     */
    private static Dataset<Row> windows(Dataset<Row> events) {
        List<Column> selected = new ArrayList<>(List.of(col(COPY_ORDER), col(EventCodec.PRODUCT_ID),
                windowStart(unix_millis(col(EventCodec.EVENT_TIME)), Granularity.values()[0]).as(WINDOW_START_MS)));
        StructType aggregates = new StructType()
                .add(EventCodec.PRODUCT_ID, DataTypes.StringType, false)
                .add(GRANULARITY, DataTypes.StringType, false)
                .add(WINDOW_START_MS, DataTypes.LongType, false)
                .add(EVENTS, DataTypes.LongType, false);
        int sums = 0;
        for (Measure measure : Measure.values()) {
            if (measure.merge() == Measure.Merge.SUM) {
                selected.add(unscaled(measure).as(measure.column()));
                aggregates = aggregates.add(measure.column() + HIGH, DataTypes.LongType, false)
                        .add(measure.column() + LOW, DataTypes.LongType, false);
                sums++;
            }
        }
        for (SketchMeasure measure : SketchMeasure.values()) {
            selected.add(col(measure.eventField()).as(measure.column()));
            aggregates = aggregates.add(measure.column(), DataTypes.BinaryType, false);
        }
        Column count = col(EVENTS);
        List<Column> rows = new ArrayList<>(List.of(col(EventCodec.PRODUCT_ID), col(GRANULARITY), col(WINDOW_START_MS)));
        for (Measure measure : Measure.values()) {
            rows.add((measure.merge() == Measure.Merge.COUNT ? count : exactSum(measure, count)).as(measure.column()));
        }
        for (SketchMeasure measure : SketchMeasure.values()) {
            rows.add(col(measure.column()));
        }
        return events.sortWithinPartitions(col(COPY_ORDER))
                .select(selected.toArray(Column[]::new))
                .mapPartitions(new WindowPass(sums), Encoders.row(aggregates))
                .select(rows.toArray(Column[]::new));
    }

    /** The start, in epoch milliseconds, of the window of {@code granularity} that holds {@code millis}. */
    private static Column windowStart(Column millis, Granularity granularity) {
        return millis.minus(pmod(millis, lit(granularity.width().toMillis())));
    }

    /** A summed measure's value per event as an unscaled long: the value times 10<sup>scale</sup>. */
    private static Column unscaled(Measure measure) {
        Column value = col(measure.eventField());
        return (measure.scale() == 0 ? value : value.multiply(lit(BigDecimal.TEN.pow(measure.scale())))).cast(DataTypes.LongType);
    }

    /**
     * A measure's exact sum from the sums of its values' high and low parts: high &times; 2<sup>32</sup> + low, at the
     * measure's scale; an error if the window holds too many events for those sums to be exact.
     */
    private static Column exactSum(Measure measure, Column count) {
        DecimalType whole = DataTypes.createDecimalType(SUM_PRECISION, 0);
        Column unscaled = col(measure.column() + HIGH).cast(whole).multiply(lit(BigDecimal.valueOf(LOW_MASK + 1)))
                .plus(col(measure.column() + LOW).cast(whole));
        Column value = unscaled.multiply(lit(BigDecimal.ONE.movePointLeft(measure.scale())))
                .cast(DataTypes.createDecimalType(SUM_PRECISION, measure.scale()));
        return when(count.geq(lit(MAX_EXACT_EVENTS)), raise_error(lit("More than " + (MAX_EXACT_EVENTS - 1)
                + " events in one window of one product: the long sums of " + measure.column() + " would not be exact")))
                .otherwise(value);
    }

    /**
     * The columns of {@link #views}: {@code product_id}, {@code granularity}, {@code window_start_ms}, then each measure's
     * column ({@link Measure.Merge#COUNT}: a long, {@link Measure.Merge#SUM}: a decimal of its scale), then each sketch
     * measure's serialized sketch (binary; null when not known).
     */
    public static StructType viewSchema() {
        StructType schema = new StructType()
                .add(EventCodec.PRODUCT_ID, DataTypes.StringType, false)
                .add(GRANULARITY, DataTypes.StringType, false)
                .add(WINDOW_START_MS, DataTypes.LongType, false);
        for (Measure measure : Measure.values()) {
            schema = schema.add(measure.column(), measure.merge() == Measure.Merge.COUNT
                    ? DataTypes.LongType
                    : DataTypes.createDecimalType(SUM_PRECISION, measure.scale()), true);
        }
        for (SketchMeasure measure : SketchMeasure.values()) {
            schema = schema.add(measure.column(), DataTypes.BinaryType, true);
        }
        return schema;
    }

    /**
     * The start, in epoch milliseconds, of the Cassandra partition that holds a row of {@link #viewSchema()}: its window
     * start rounded down to its granularity's {@link PartitionSpan}, as {@link PartitionSpan#partitionStart} does.
     */
    public static Column partitionStartMillis() {
        Column window = col(WINDOW_START_MS);
        Column start = null;
        for (Granularity granularity : Granularity.values()) {
            Column rounded = window.minus(pmod(window, lit(PartitionSpan.of(granularity).toMillis())));
            Column matches = col(GRANULARITY).equalTo(granularity.label());
            start = start == null ? when(matches, rounded) : start.when(matches, rounded);
        }
        return start.as("partition_start_ms");
    }

    /** A view row as a row of {@link #viewSchema()}. */
    public static Row row(ViewRow row) {
        List<Object> values = new ArrayList<>(List.of(row.key().productId(), row.key().window().granularity().label(),
                row.key().window().start().toEpochMilli()));
        for (Measure measure : Measure.values()) {
            BigDecimal value = row.metrics().value(measure);
            values.add(measure.merge() == Measure.Merge.COUNT ? value.longValueExact() : value.setScale(measure.scale()));
        }
        Sketches sketches = row.metrics().sketches();
        for (SketchMeasure measure : SketchMeasure.values()) {
            values.add(sketches == null ? null : measure.bytes(sketches));
        }
        return RowFactory.create(values.toArray());
    }

    /** What the views are, as text ({@link ViewDefinition#text()}): a version records it. */
    public static String definition() {
        return ViewDefinition.text();
    }

    /** A row of {@link #views} as the view row it is. */
    public static ViewRow viewRow(Row row) {
        ViewKey key = new ViewKey(row.getAs(EventCodec.PRODUCT_ID), new EventWindow(Granularity.parse(row.getAs(GRANULARITY)),
                Instant.ofEpochMilli(row.<Long>getAs(WINDOW_START_MS))));
        return new ViewRow(key, Metrics.fromValues(measure -> decimal(row.getAs(measure.column())), sketches(row)));
    }

    /** The row's sketches, read by common-model from Spark's binaries; {@code null} (not known) if either is null. */
    private static Sketches sketches(Row row) {
        byte[] users = row.getAs(SketchMeasure.UNIQUE_USERS.column());
        byte[] durations = row.getAs(SketchMeasure.DURATION_QUANTILES.column());
        if (users == null || durations == null) {
            return null;
        }
        return new Sketches(UserSketch.fromBytes(users), DurationSketch.fromBytes(durations));
    }

    private static BigDecimal decimal(Object value) {
        return value instanceof BigDecimal decimal ? decimal : BigDecimal.valueOf(((Number) value).longValue());
    }

    /** The event fields the measures sum and the sketch measures sketch, each once. */
    private static List<String> eventFields() {
        List<String> fields = new ArrayList<>();
        for (Measure measure : Measure.values()) {
            if (measure.merge() == Measure.Merge.SUM && !fields.contains(measure.eventField())) {
                fields.add(measure.eventField());
            }
        }
        for (SketchMeasure measure : SketchMeasure.values()) {
            if (!fields.contains(measure.eventField())) {
                fields.add(measure.eventField());
            }
        }
        return fields;
    }
}
