package io.lambdaplatform.batch.internal;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.CollectionAccumulator;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The ingest clock on its own, without Spark: what a task of the archive job computes, the verdicts included. */
class IngestClockTest {

    private static final long CUTOFF = millis("2026-11-24T10:00:00Z");

    private final CollectionAccumulator<IngestClock.End> ends = new CollectionAccumulator<>();

    @Test
    void theRunningMaximumContinuesFromTheSeedAndKeepsThePrefixBelowTheCutoff() {
        IngestClock clock = new IngestClock(Map.of(0, millis("2026-11-24T09:50:00Z")), CUTOFF, ends);

        List<Row> kept = run(clock, List.of(
                record(0, 10, "2026-11-24T09:40:00Z"),   // below the seed: ingest 09:50
                record(0, 11, "2026-11-24T09:55:00Z"),
                record(0, 13, "2026-11-24T09:54:00Z"),   // the broker's clock stepped back: still 09:55
                record(0, 14, "2026-11-24T10:00:00Z"),   // at the cutoff: the partition ends before it
                record(0, 15, "2026-11-24T09:58:00Z"))); // stamped below the cutoff, ingested at 10:00: not kept

        assertThat(kept).extracting(row -> row.getLong(4) + " " + row.getTimestamp(5).toInstant())
                .containsExactly("10 2026-11-24T09:50:00Z", "11 2026-11-24T09:55:00Z", "13 2026-11-24T09:55:00Z");
        assertThat(kept).allSatisfy(row -> assertThat(new String((byte[]) row.get(0), StandardCharsets.UTF_8)).isEqualTo("p1"));
        assertThat(IngestClock.ends(ends)).containsExactly(
                Map.entry(0, new IngestClock.End(0, 0, 13, millis("2026-11-24T09:55:00Z"), 3, true)));
    }

    @Test
    void eachTopicPartitionOfASparkPartitionRunsItsOwnClockAndOneWithNothingBelowTheCutoffEndsWithNoRecordKept() {
        IngestClock clock = new IngestClock(Map.of(), CUTOFF, ends);

        List<Row> kept = run(clock, List.of(
                record(1, 0, "2026-11-24T09:59:00Z"),
                record(2, 0, "2026-11-24T10:05:00Z"),
                record(2, 1, "2026-11-24T09:00:00Z"),
                record(3, 7, "2026-11-24T09:01:00Z")));

        assertThat(kept).extracting(row -> row.getInt(3) + "/" + row.getLong(4)).containsExactly("1/0", "3/7");
        // Partition 2 read a record past the cutoff (the read may end there); partitions 1 and 3 read none.
        assertThat(IngestClock.ends(ends)).containsOnly(
                Map.entry(1, new IngestClock.End(1, 0, 0, millis("2026-11-24T09:59:00Z"), 1, false)),
                Map.entry(2, new IngestClock.End(2, 0, -1, 0, 0, true)),
                Map.entry(3, new IngestClock.End(3, 0, 7, millis("2026-11-24T09:01:00Z"), 1, false)));
    }

    @Test
    void eachRecordKeptIsJudgedInTheSamePassAndOnePastTheCutoffIsNot() {
        IngestClock clock = new IngestClock(Map.of(), CUTOFF, ends);
        byte[] event = """
                {"event_id": "e-1", "product_id": "p1", "user_id": "u-7", "revenue": "19.99", "duration_ms": 1534,
                 "event_time": "2026-11-24T09:15:30.123Z"}""".getBytes(StandardCharsets.UTF_8);

        List<Row> kept = run(clock, List.of(
                record(0, 0, "2026-11-24T09:30:00Z", event),
                record(0, 1, "2026-11-24T09:31:00Z", "{\"event_id\": \"broken".getBytes(StandardCharsets.UTF_8)),
                record(0, 2, "2026-11-24T10:01:00Z", event)));

        assertThat(kept).hasSize(2);
        assertThat(kept.get(0).size()).isEqualTo(IngestClock.OUTPUT.size());
        Row valid = kept.get(0);
        int verdict = IngestClock.OUTPUT.fieldIndex(RecordJudge.VALID);
        assertThat(valid.getBoolean(verdict)).isTrue();
        assertThat(valid.getString(IngestClock.OUTPUT.fieldIndex("event_id"))).isEqualTo("e-1");
        assertThat(valid.getString(IngestClock.OUTPUT.fieldIndex("user_id"))).isEqualTo("u-7");
        assertThat(valid.getDecimal(IngestClock.OUTPUT.fieldIndex("revenue"))).isEqualByComparingTo("19.99");
        assertThat(valid.getLong(IngestClock.OUTPUT.fieldIndex("duration_ms"))).isEqualTo(1534L);
        assertThat(valid.getTimestamp(IngestClock.OUTPUT.fieldIndex("event_time")).toInstant())
                .isEqualTo(Instant.parse("2026-11-24T09:15:30.123Z"));
        assertThat(valid.isNullAt(IngestClock.OUTPUT.fieldIndex(RecordJudge.REJECTION_REASON))).isTrue();
        Row invalid = kept.get(1);
        assertThat(invalid.getBoolean(verdict)).isFalse();
        assertThat(invalid.getString(IngestClock.OUTPUT.fieldIndex(RecordJudge.REJECTION_REASON))).isEqualTo("malformed-json");
        assertThat(invalid.isNullAt(IngestClock.OUTPUT.fieldIndex("event_id"))).isTrue();
        assertThat(new String((byte[]) invalid.get(1), StandardCharsets.UTF_8)).isEqualTo("{\"event_id\": \"broken");
    }

    @Test
    void offsetsOutOfOrderFailTheTask() {
        IngestClock clock = new IngestClock(Map.of(), CUTOFF, ends);

        assertThatThrownBy(() -> run(clock, List.of(record(0, 5, "2026-11-24T09:00:00Z"), record(0, 5, "2026-11-24T09:01:00Z"))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Offsets of Kafka partition 0 out of order: 5 after 5");
    }

    @Test
    void aTopicPartitionInTwoSparkPartitionsFailsTheRangeBeforeItIsRecorded() {
        ends.add(new IngestClock.End(4, 0, 99, CUTOFF - 1, 100, false));
        ends.add(new IngestClock.End(4, 1, 199, CUTOFF - 1, 100, false));

        assertThatThrownBy(() -> IngestClock.ends(ends))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("Kafka partition 4 came in two pieces (Spark partitions 0 and 1)");
    }

    private static List<Row> run(IngestClock clock, List<Row> records) {
        List<Row> kept = new ArrayList<>();
        Iterator<Row> out = clock.call(records.iterator());
        out.forEachRemaining(kept::add);
        return kept;
    }

    private static Row record(int partition, long offset, String appendTime) {
        return record(partition, offset, appendTime, "{}".getBytes(StandardCharsets.UTF_8));
    }

    private static Row record(int partition, long offset, String appendTime, byte[] value) {
        return RowFactory.create("p1".getBytes(StandardCharsets.UTF_8), value, Timestamp.from(Instant.parse(appendTime)), partition, offset);
    }

    private static long millis(String instant) {
        return Instant.parse(instant).toEpochMilli();
    }
}
