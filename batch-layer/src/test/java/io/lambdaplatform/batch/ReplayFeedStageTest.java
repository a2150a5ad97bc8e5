package io.lambdaplatform.batch;

import io.lambdaplatform.model.EventRules;
import io.lambdaplatform.viewstore.IngestHole;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.lambdaplatform.batch.MasterRecords.event;
import static org.assertj.core.api.Assertions.assertThat;

class ReplayFeedStageTest {

    private final SparkSession spark = TestSpark.session();
    private MasterDataset master;

    @BeforeEach
    void setUp(@TempDir Path tempDir) {
        master = MasterDataset.at(spark, tempDir.resolve("master").toUri().toString());
    }

    @Test
    void eachPartitionIsItsArchivedRecordsInOffsetOrderWithItsHolesWhereTheyFallThenItsEndAndImportsAreLeftOut() {
        // Two Kafka ranges; offsets 2-3 of partition 0 were deleted before the first one archived them (an accepted hole).
        kafkaRange("r1", new MasterRecords()
                        .add(event("a", "p1", "1.00", 1, "2026-12-01T10:00:00Z"), "2026-12-04T10:00:01Z", 0, 1)
                        .add(event("b", "p1", "1.00", 1, "2026-12-01T10:00:00Z"), "2026-12-04T10:00:00Z", 0, 0)
                        .add(event("c", "p2", "1.00", 1, "2026-12-01T10:00:00Z"), "2026-12-04T10:00:05Z", 0, 4)
                        .raw("p2", "{not json", "2026-12-04T10:00:02Z", 1, 0),
                List.of(new PartitionOffsets(0, 0, 5, Instant.parse("2026-12-04T10:00:05Z")),
                        new PartitionOffsets(1, 0, 1, Instant.parse("2026-12-04T10:00:02Z"))),
                List.of(new IngestHole("batch", 0, 2, 4, Instant.parse("2026-12-04T10:00:01Z"), Instant.parse("2026-12-04T10:00:05Z"))));
        // The next range: partition 0 went on at offset 5 (its records up to 7, offset 7 a transaction marker).
        kafkaRange("r2", new MasterRecords()
                        .add(event("d", "p1", "1.00", 1, "2026-12-01T10:00:00Z"), "2026-12-04T10:01:00Z", 0, 6)
                        .add(event("b", "p1", "1.00", 1, "2026-12-01T10:00:00Z"), "2026-12-04T10:00:59Z", 0, 5),
                List.of(new PartitionOffsets(0, 5, 8, Instant.parse("2026-12-04T10:01:00Z"))), List.of());
        master.write("import_1", ArchivedRange.Source.IMPORT, Instant.parse("2026-12-04T09:00:00Z"), Instant.parse("2026-12-04T09:00:01Z"),
                "events.jsonl", new MasterRecords().add(event("imported", "p1", "1.00", 1, "2026-12-01T10:00:00Z"), "2026-12-04T09:00:00Z", 0, 0)
                        .toDataset(spark));

        List<ArchivedRange> kafka = master.manifest().stream().filter(range -> range.source() == ArchivedRange.Source.KAFKA).toList();
        List<IngestHole> holes = kafka.stream().flatMap(range -> range.holes().stream()).toList();
        List<Row> rows = ReplayFeedStage.feed(spark, master, kafka, master.archivedPositions(), holes).collectAsList();

        Map<Integer, List<String>> partitions = new TreeMap<>();
        for (Row row : rows) {
            Row header = row.<Row>getList(row.fieldIndex("headers")).get(0);
            String value = row.isNullAt(2) ? "" : " " + new String((byte[]) row.get(2), StandardCharsets.UTF_8).replaceAll(".*\"event_id\":\"([^\"]+)\".*", "$1");
            partitions.computeIfAbsent(row.getInt(0), partition -> new ArrayList<>())
                    .add(header.getString(0) + "=" + new String((byte[]) header.get(1), StandardCharsets.UTF_8) + value);
        }
        long t = Instant.parse("2026-12-04T10:00:00Z").toEpochMilli();
        assertThat(partitions).containsOnlyKeys(0, 1);
        assertThat(partitions.get(0)).containsExactly(
                "lambda.replay.archived=0," + t + " b",
                "lambda.replay.archived=1," + (t + 1_000) + " a",
                "lambda.replay.hole=2,4," + (t + 1_000) + "," + (t + 5_000),
                "lambda.replay.archived=4," + (t + 5_000) + " c",
                "lambda.replay.archived=5," + (t + 59_000) + " b",
                "lambda.replay.archived=6," + (t + 60_000) + " d",
                "lambda.replay.end=8," + (t + 60_000));
        assertThat(partitions.get(1)).containsExactly(
                "lambda.replay.archived=0," + (t + 2_000) + " {not json",
                "lambda.replay.end=1," + (t + 2_000));
    }

    private void kafkaRange(String id, MasterRecords records, List<PartitionOffsets> offsets, List<IngestHole> holes) {
        long count = master.writeFiles(id, records.toDataset(spark));
        master.commit(new ArchivedRange(id, ArchivedRange.Source.KAFKA, Instant.parse("2026-12-04T00:00:00Z"),
                Instant.parse("2026-12-04T10:02:00Z"), count, Instant.now(), "events", offsets, holes, true, EventRules.VERSION, true));
    }
}
