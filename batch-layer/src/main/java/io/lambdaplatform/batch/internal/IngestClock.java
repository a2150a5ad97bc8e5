package io.lambdaplatform.batch.internal;

import io.lambdaplatform.batch.MasterDataset;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.CollectionAccumulator;

import java.io.Serial;
import java.io.Serializable;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

import static java.util.Objects.requireNonNull;

/**
 * The platform's ingest clock over Kafka records as Spark's Kafka source reads them — one Spark partition per topic
 * partition, in offset order: each record's ingest time is the running maximum of LogAppendTime over its partition up
 * to it, continued from the partition's seed (the ingest time of its last archived record). Records are kept while
 * that time is below the cutoff; as it never decreases, the records kept are a prefix of each partition.
 *
 * <p>Each record kept is judged here too ({@link RecordJudge#judgeInto}, once: the records past the cutoff are not), so
 * that the archive reads, stamps and judges its records in one pass, with one conversion from Spark's internal rows
 * and one back. Computed where the records are read, so the raw bytes are never shuffled. Where each partition ends
 * (last offset kept, its ingest time, the count) goes to an accumulator, which {@link #ends} reads on the driver once
 * the job has run; it fails when the records did not come as promised (a topic partition in two Spark partitions, or
 * offsets out of order), because the running maximum would then be wrong.
 */
public final class IngestClock implements MapPartitionsFunction<Row, Row> {

    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * The columns of the records kept: {@code key}, {@code value}, {@code ingest_time} (the record's LogAppendTime),
     * {@code partition}, {@code offset}, {@code ingest_eff}, then {@link RecordJudge#VERDICT}.
     */
    public static final StructType OUTPUT = RecordJudge.withVerdictColumns(MasterDataset.EFF_SCHEMA);

    /** Where the verdict starts in a record of {@link #OUTPUT}. */
    private static final int VERDICT_AT = MasterDataset.EFF_SCHEMA.size();

    /**
     * Where one partition's records below the cutoff end, as one task saw them.
     *
     * @param lastOffset     the last record kept; -1 when none was
     * @param reachedCutoff  a record read was at or past the cutoff: every record after it is too, whatever its own time
     */
    public record End(int partition, int sparkPartition, long lastOffset, long lastIngestMillis, long records, boolean reachedCutoff)
            implements Serializable {}

    private final Map<Integer, Long> seeds;
    private final long cutoffMillis;
    private final CollectionAccumulator<End> ends;

    /**
     * @param seeds        per partition, the ingest time (epoch millis) its running maximum starts from; 0 when absent
     * @param cutoffMillis records whose ingest time is at or past it are not kept
     * @param ends         registered with the job's Spark context
     */
    public IngestClock(Map<Integer, Long> seeds, long cutoffMillis, CollectionAccumulator<End> ends) {
        this.seeds = new HashMap<>(requireNonNull(seeds, "seeds is null"));
        this.cutoffMillis = cutoffMillis;
        this.ends = requireNonNull(ends, "ends is null");
    }

    /**
     * Input columns {@code key}, {@code value}, {@code timestamp}, {@code partition}, {@code offset} (Spark's Kafka
     * source); output the same with the ingest time appended as a sixth column and the verdict after it
     * ({@link #OUTPUT}).
     */
    @Override
    public Iterator<Row> call(Iterator<Row> records) {
        return new Running(records);
    }

    /**
     * The ends each partition reached, checked: each topic partition came in one piece. Call once the job that ran this
     * function has finished.
     *
     * @return by partition, one for each partition a record of which was read (one whose every record read was past the
     *         cutoff has an end of no records); the others are absent
     */
    public static Map<Integer, End> ends(CollectionAccumulator<End> accumulator) {
        Map<Integer, End> byPartition = new HashMap<>();
        for (End end : new ArrayList<>(accumulator.value())) {
            End other = byPartition.put(end.partition(), end);
            if (other != null) {
                throw new IllegalStateException("Kafka partition " + end.partition() + " came in two pieces (Spark partitions "
                        + other.sparkPartition() + " and " + end.sparkPartition() + "): its ingest times would be wrong. "
                        + "Do not set the Kafka source's minPartitions or maxRecordsPerPartition for the batch layer");
            }
        }
        return byPartition;
    }

    private final class Running implements Iterator<Row> {
        private final Iterator<Row> records;
        private final List<End> seen = new ArrayList<>();
        private Row next;
        private boolean done;
        private int partition = -1;
        private long lastOffset = -1;
        private long runningMax;
        private long lastKeptOffset;
        private long lastKeptIngest;
        private long kept;

        private Running(Iterator<Row> records) {
            this.records = records;
        }

        @Override
        public boolean hasNext() {
            if (next == null && !done) {
                advance();
            }
            return next != null;
        }

        @Override
        public Row next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Row row = next;
            next = null;
            return row;
        }

        private void advance() {
            while (records.hasNext()) {
                Row record = records.next();
                int recordPartition = record.getInt(3);
                long offset = record.getLong(4);
                if (recordPartition != partition) {
                    if (partition >= 0) {
                        // A Spark partition of another source may hold several topic partitions, each in offset order.
                        finishPartition();
                    }
                    partition = recordPartition;
                    runningMax = seeds.getOrDefault(partition, 0L);
                    lastOffset = -1;
                    kept = 0;
                }
                else if (offset <= lastOffset) {
                    throw new IllegalStateException("Offsets of Kafka partition " + partition + " out of order: " + offset
                            + " after " + lastOffset);
                }
                runningMax = Math.max(runningMax, record.getTimestamp(2).getTime());
                lastOffset = offset;
                if (runningMax >= cutoffMillis) {
                    continue;  // past the cutoff, and so is the rest of this partition; read on to check its order
                }
                lastKeptOffset = offset;
                lastKeptIngest = runningMax;
                kept++;
                Object[] values = new Object[OUTPUT.size()];
                byte[] key = record.isNullAt(0) ? null : (byte[]) record.get(0);
                byte[] value = record.isNullAt(1) ? null : (byte[]) record.get(1);
                values[0] = key;
                values[1] = value;
                values[2] = record.get(2);
                values[3] = partition;
                values[4] = offset;
                values[5] = new Timestamp(runningMax);
                RecordJudge.judgeInto(key, value, values, VERDICT_AT);
                next = RowFactory.create(values);
                return;
            }
            if (partition >= 0) {
                finishPartition();
            }
            seen.forEach(ends::add);
            done = true;
        }

        private void finishPartition() {
            boolean reachedCutoff = runningMax >= cutoffMillis;
            if (kept > 0 || reachedCutoff) {
                seen.add(new End(partition, TaskContext.getPartitionId(), kept > 0 ? lastKeptOffset : -1,
                        kept > 0 ? lastKeptIngest : seeds.getOrDefault(partition, 0L), kept, reachedCutoff));
            }
        }
    }
}
