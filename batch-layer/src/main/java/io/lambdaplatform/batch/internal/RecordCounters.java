package io.lambdaplatform.batch.internal;

import io.lambdaplatform.model.RejectionReason;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.lit;

/**
 * What the recompute stage judged: records read, valid events, rejections by reason, counted by a Spark
 * {@link Observation} of the judged records. It is an accumulator inside the query, so a stage Spark re-runs after a
 * lost shuffle may count twice; the published counts come from the rows actually written instead.
 *
 * @param records          judged records read
 * @param valid            valid events, duplicates included
 * @param rejectedByReason rejections by reason code, only reasons that occurred, in the order of {@link RejectionReason}
 */
public record RecordCounters(long records, long valid, Map<String, Long> rejectedByReason) {

    public RecordCounters {
        rejectedByReason = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(rejectedByReason, "rejectedByReason is null")));
    }

    /** The judged records ({@code valid}, {@code rejection_reason}), counted by {@code observation} when they are read. */
    public static Dataset<Row> observe(Dataset<Row> judged, Observation observation) {
        return judged.observe(observation, count(lit(1)).as("records"), counts().toArray(Column[]::new));
    }

    /** The judged records ({@code valid}, {@code rejection_reason}) counted by a query of their own. */
    public static RecordCounters counted(Dataset<Row> judged) {
        Row row = judged.agg(count(lit(1)).as("records"), counts().toArray(Column[]::new)).first();
        Map<String, Object> metrics = new LinkedHashMap<>();
        for (String field : row.schema().fieldNames()) {
            metrics.put(field, row.getAs(field));
        }
        return of(metrics);
    }

    private static List<Column> counts() {
        List<Column> counts = new ArrayList<>();
        counts.add(count_if(col(RecordJudge.VALID)).as("valid"));
        for (RejectionReason reason : RejectionReason.values()) {
            counts.add(count_if(col(RecordJudge.REJECTION_REASON).equalTo(reason.code())).as(reason.code()));
        }
        return counts;
    }

    /**
     * The counts of an observation whose query has run. A query over no files reports no metrics at all (Spark
     * optimises the observed plan away): that is zero records.
     */
    public static RecordCounters of(Observation observation) {
        return of(Observed.metrics(observation));
    }

    private static RecordCounters of(Map<String, Object> metrics) {
        if (metrics.isEmpty()) {
            return new RecordCounters(0, 0, Map.of());
        }
        Map<String, Long> rejected = new LinkedHashMap<>();
        for (RejectionReason reason : RejectionReason.values()) {
            long count = Observed.count(metrics, reason.code());
            if (count > 0) {
                rejected.put(reason.code(), count);
            }
        }
        return new RecordCounters(Observed.count(metrics, "records"), Observed.count(metrics, "valid"), rejected);
    }
}
