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
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.hll_sketch_agg;
import static org.apache.spark.sql.functions.kll_sketch_agg_bigint;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.udaf;
import static org.apache.spark.sql.functions.unix_millis;
import static org.apache.spark.sql.functions.when;

/**
 * The batch views as Spark SQL over judged records ({@link MasterDataset#JUDGED_COLUMNS}): the first copy of every
 * event, then every {@link Measure} per product and window at every {@link Granularity}. The measures are taken from
 * common-model's description, each turned into one aggregate column: {@link Measure.Merge#COUNT} into
 * {@code count(1)}, {@link Measure.Merge#SUM} into an exact decimal {@code sum} of the event field; and the
 * {@link SketchMeasure}s into Spark's own DataSketches aggregates over the same field ({@code hll_sketch_agg} of
 * {@code user_id}, {@code kll_sketch_agg_bigint} of {@code duration_ms}), whose binaries {@link UserSketch} and
 * {@link DurationSketch} read. The views' columns: {@code product_id}, {@code granularity} (label),
 * {@code window_start_ms}, one column per measure ({@link Measure#column()}), one binary column per sketch measure
 * ({@link SketchMeasure#column()}).
 */
public final class ViewAggregation {

    public static final String GRANULARITY = "granularity";
    public static final String WINDOW_START_MS = "window_start_ms";
    /** Decimal sums of up to 38 digits: exact for far more events than a window can hold. */
    private static final int SUM_PRECISION = 38;
    private static final String FIRST = "first";
    private static final String WINDOW = "window";

    private ViewAggregation() {}

    /**
     * The view rows of the valid, first copies among the judged records, in {@code partitions} Spark partitions by
     * product ({@link ViewPartitioner}): the only shuffle.
     */
    public static Dataset<Row> views(Dataset<Row> judged, int partitions) {
        return aggregate(firstCopies(ViewPartitioner.byProduct(judged.where(col(RecordJudge.VALID)), partitions)));
    }

    /**
     * The first copy of every event identity ({@code product_id}, {@code event_id}) among valid records, by
     * (ingest time, partition, offset), as in the speed layer: the minimum of a struct that starts with those three.
     * Columns {@code product_id}, {@code event_time} and each measure's and sketch measure's event field (so
     * {@code user_id} too), every one from the first copy.
     */
    public static Dataset<Row> firstCopies(Dataset<Row> valid) {
        List<Column> order = new ArrayList<>(List.of(col(MasterDataset.INGEST_MILLIS), col(MasterDataset.PARTITION),
                col(MasterDataset.OFFSET), col(EventCodec.EVENT_TIME)));
        List<Column> selected = new ArrayList<>(List.of(col(EventCodec.PRODUCT_ID), col(FIRST + "." + EventCodec.EVENT_TIME)));
        for (String field : eventFields()) {
            order.add(col(field));
            selected.add(col(FIRST + "." + field));
        }
        return valid.groupBy(col(EventCodec.PRODUCT_ID), col(EventCodec.EVENT_ID))
                .agg(min(struct(order.toArray(Column[]::new))).as(FIRST))
                .select(selected.toArray(Column[]::new));
    }

    /** Every measure per product and window of every granularity, over events (one row each). */
    public static Dataset<Row> aggregate(Dataset<Row> events) {
        Column eventMillis = unix_millis(col(EventCodec.EVENT_TIME));
        List<Column> windows = new ArrayList<>();
        for (Granularity granularity : Granularity.values()) {
            long width = granularity.width().toMillis();
            windows.add(struct(lit(granularity.label()).as(GRANULARITY), eventMillis.minus(pmod(eventMillis, lit(width))).as(WINDOW_START_MS)));
        }
        List<Column> selected = new ArrayList<>(List.of(col(EventCodec.PRODUCT_ID), explode(array(windows.toArray(Column[]::new))).as(WINDOW)));
        eventFields().forEach(field -> selected.add(col(field)));
        List<Column> measures = new ArrayList<>();
        for (Measure measure : Measure.values()) {
            measures.add(aggregate(measure).as(measure.column()));
        }
        for (SketchMeasure measure : SketchMeasure.values()) {
            measures.add(aggregate(measure).as(measure.column()));
        }
        return events.select(selected.toArray(Column[]::new))
                .groupBy(col(EventCodec.PRODUCT_ID), col(WINDOW + "." + GRANULARITY).as(GRANULARITY),
                        col(WINDOW + "." + WINDOW_START_MS).as(WINDOW_START_MS))
                .agg(measures.get(0), measures.subList(1, measures.size()).toArray(Column[]::new));
    }

    /** One measure as an aggregate column: its merge applied to its value per event, exactly. */
    static Column aggregate(Measure measure) {
        return switch (measure.merge()) {
            case COUNT -> count(lit(1));
            case SUM -> sum(col(measure.eventField()).cast(DataTypes.createDecimalType(SUM_PRECISION, measure.scale())));
        };
    }

    /**
     * One sketch measure as an aggregate column: Spark's sketch of its event field with the measure's parameter, which
     * skips nulls (an event without a user adds no user) and is an empty sketch, not null, for a window of none.
     */
    static Column aggregate(SketchMeasure measure) {
        return switch (measure.kind()) {
            case HLL -> hll_sketch_agg(col(measure.eventField()), measure.parameter());
            case KLL -> kll_sketch_agg_bigint(col(measure.eventField()), measure.parameter());
        };
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
     * View rows of disjoint sets of events ({@link #viewSchema()}, several rows per window) merged into one row per
     * product and window: every measure merges by adding its partial values ({@link Measure#merge}), exactly, and every
     * sketch measure by common-model's merge ({@link SketchMerge}; not known if any part's is not). Shuffled by product
     * ({@link ViewPartitioner}), as {@link #views} is.
     */
    public static Dataset<Row> merge(Dataset<Row> partialViews, int partitions) {
        List<Column> measures = new ArrayList<>();
        for (Measure measure : Measure.values()) {
            Column total = sum(col(measure.column()));
            measures.add((measure.merge() == Measure.Merge.COUNT
                    ? total.cast(DataTypes.LongType)
                    : total.cast(DataTypes.createDecimalType(SUM_PRECISION, measure.scale()))).as(measure.column()));
        }
        for (SketchMeasure measure : SketchMeasure.values()) {
            measures.add(udaf(new SketchMerge(measure), Encoders.BINARY()).apply(col(measure.column())).as(measure.column()));
        }
        return ViewPartitioner.byProduct(partialViews, partitions)
                .groupBy(col(EventCodec.PRODUCT_ID), col(GRANULARITY), col(WINDOW_START_MS))
                .agg(measures.get(0), measures.subList(1, measures.size()).toArray(Column[]::new));
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
