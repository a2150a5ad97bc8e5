package io.lambdaplatform.batch.internal;

import io.lambdaplatform.model.Event;
import io.lambdaplatform.model.EventCodec;
import io.lambdaplatform.model.EventRules;
import io.lambdaplatform.model.EventVerdict;
import io.lambdaplatform.model.Rejection;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.sql.Timestamp;

/**
 * Judges raw records with {@link EventCodec#decode(byte[], byte[])} and appends the verdict as typed columns: whether
 * the record is a valid event, the rejection's reason code and detail when it is not, and the decoded event's fields
 * when it is (named as in the event's JSON; {@code null} for an invalid record).
 */
public final class RecordJudge {

    public static final String VALID = "valid";
    public static final String REJECTION_REASON = "rejection_reason";
    public static final String REJECTION_DETAIL = "rejection_detail";
    /** Revenue is below 10^12 in absolute value, at scale 2: 14 digits. */
    public static final int REVENUE_PRECISION = 14;

    /** The verdict's columns, in the order {@link #judge} appends them. */
    public static final StructType VERDICT = new StructType()
            .add(VALID, DataTypes.BooleanType, false)
            .add(REJECTION_REASON, DataTypes.StringType, true)
            .add(REJECTION_DETAIL, DataTypes.StringType, true)
            .add(EventCodec.EVENT_ID, DataTypes.StringType, true)
            .add(EventCodec.PRODUCT_ID, DataTypes.StringType, true)
            .add(EventCodec.USER_ID, DataTypes.StringType, true)
            .add(EventCodec.REVENUE, DataTypes.createDecimalType(REVENUE_PRECISION, EventRules.REVENUE_SCALE), true)
            .add(EventCodec.DURATION_MS, DataTypes.LongType, true)
            .add(EventCodec.EVENT_TIME, DataTypes.TimestampType, true);

    private RecordJudge() {}

    /**
     * The records with the {@link #VERDICT} columns appended.
     *
     * @param records must have the binary columns {@code keyColumn} and {@code valueColumn}; every column is kept
     */
    public static Dataset<Row> judge(Dataset<Row> records, String keyColumn, String valueColumn) {
        StructType input = records.schema();
        int key = input.fieldIndex(keyColumn);
        int value = input.fieldIndex(valueColumn);
        int width = input.size();
        return records.map((MapFunction<Row, Row>) row -> withVerdict(row, key, value, width), Encoders.row(withVerdictColumns(input)));
    }

    /** The columns of {@code input} followed by the {@link #VERDICT} columns. */
    public static StructType withVerdictColumns(StructType input) {
        StructType output = input;
        for (StructField field : VERDICT.fields()) {
            output = output.add(field);
        }
        return output;
    }

    /**
     * Judges one record with {@link EventCodec#decode(byte[], byte[])} and writes its verdict into {@code values} from
     * index {@code at} on, in the order of {@link #VERDICT}; the fields of the verdict that do not apply are left null.
     *
     * @param values at least {@code at + VERDICT.size()} long
     */
    public static void judgeInto(byte[] key, byte[] value, Object[] values, int at) {
        EventVerdict verdict = EventCodec.decode(key, value);
        if (verdict instanceof EventVerdict.Valid valid) {
            Event event = valid.event();
            values[at] = true;
            values[at + 3] = event.eventId();
            values[at + 4] = event.productId();
            values[at + 5] = event.userId();
            values[at + 6] = event.revenue();
            values[at + 7] = event.durationMs();
            values[at + 8] = Timestamp.from(event.eventTime());
        }
        else {
            Rejection rejection = ((EventVerdict.Invalid) verdict).rejection();
            values[at] = false;
            values[at + 1] = rejection.reason().code();
            values[at + 2] = rejection.detail();
        }
    }

    private static Row withVerdict(Row row, int key, int value, int width) {
        Object[] values = new Object[width + VERDICT.size()];
        for (int i = 0; i < width; i++) {
            values[i] = row.get(i);
        }
        judgeInto(row.isNullAt(key) ? null : (byte[]) row.get(key), row.isNullAt(value) ? null : (byte[]) row.get(value), values, width);
        return RowFactory.create(values);
    }
}
