package io.lambdaplatform.batch;

import io.lambdaplatform.batch.internal.WindowPass;
import io.lambdaplatform.batch.internal.ViewAggregation;
import io.lambdaplatform.model.DurationSketch;
import io.lambdaplatform.model.Event;
import io.lambdaplatform.model.EventCodec;
import io.lambdaplatform.model.EventVerdict;
import io.lambdaplatform.model.EventWindow;
import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.model.Metrics;
import io.lambdaplatform.model.Sketches;
import io.lambdaplatform.model.UserSketch;
import io.lambdaplatform.model.ViewKey;
import io.lambdaplatform.viewstore.ViewRow;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;

import static io.lambdaplatform.batch.MasterRecords.event;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Spark SQL aggregation ({@link ViewAggregation}, columns from common-model's {@code Measure}s and
 * {@code SketchMeasure}s) and the Kafka Streams side's ({@code EventCodec.decode}, first copy,
 * {@code Metrics.of}/{@code merge}) fed the same records must produce the same view rows, sketches included. Every
 * window holds fewer than 200 events, so that the KLL sketches are exact and equal only when they hold the same
 * durations.
 */
class ViewAggregationTest {

    /** The columns {@link ViewAggregation#aggregate} takes: one event a row. */
    private static final StructType EVENTS = new StructType()
            .add(EventCodec.PRODUCT_ID, DataTypes.StringType)
            .add(EventCodec.EVENT_TIME, DataTypes.TimestampType)
            .add(EventCodec.REVENUE, DataTypes.createDecimalType(14, 2))
            .add(EventCodec.DURATION_MS, DataTypes.LongType)
            .add(EventCodec.USER_ID, DataTypes.StringType);

    private static final Instant CUTOFF = Instant.parse("2026-11-25T00:00:00Z");

    private final SparkSession spark = TestSpark.session();

    /** One Kafka record as the master dataset holds it. */
    private record Record(String key, String value, Instant ingest, int partition, long offset) {}

    @Test
    void sparkAndMetricsComputeIdenticalRowsFromTheSameRecords(@TempDir Path dir) {
        List<Record> records = new ArrayList<>();
        long offset = 0;
        // Ordinary events of three products over two days, some late (event time a day before their ingest), of seven
        // users, every fourth of none.
        for (int i = 0; i < 60; i++) {
            Event event = event("e" + i, "p" + (i % 3), i % 4 == 0 ? null : "u" + (i % 7), (i % 7 - 3) + "." + (10 + i % 90), 17L * i,
                    Instant.parse("2026-11-23T22:00:00Z").plusSeconds(97L * i * (i % 5 == 0 ? 11 : 1)).toString());
            records.add(record(event, Instant.parse("2026-11-24T10:00:00Z").plusSeconds(i), i % 3, offset++));
        }
        // Duplicates: a later copy with other values; two copies in the same millisecond (the lower partition wins).
        records.add(record(event("e5", "p2", "u-other", "99.99", 999, "2026-11-24T10:02:00Z"), Instant.parse("2026-11-24T11:00:00Z"), 2, offset++));
        records.add(record(event("d1", "p1", "2.00", 20, "2026-11-24T10:20:00Z"), Instant.parse("2026-11-24T10:20:00Z"), 2, offset++));
        records.add(record(event("d1", "p1", "3.00", 30, "2026-11-24T10:20:00Z"), Instant.parse("2026-11-24T10:20:00Z"), 1, offset++));
        // Copies with another user, with a user where the first had none, and with the same user: the first copy's counts.
        records.add(record(event("s1", "ps", "u2", "1.00", 30, "2026-11-24T10:21:00Z"), Instant.parse("2026-11-24T10:30:00Z"), 2, offset++));
        records.add(record(event("s1", "ps", "u1", "1.00", 10, "2026-11-24T10:21:00Z"), Instant.parse("2026-11-24T10:30:00Z"), 1, offset++));
        records.add(record(event("s2", "ps", null, "1.00", 40, "2026-11-24T10:22:00Z"), Instant.parse("2026-11-24T10:31:00Z"), 0, offset++));
        records.add(record(event("s2", "ps", "u3", "1.00", 45, "2026-11-24T10:22:00Z"), Instant.parse("2026-11-24T10:32:00Z"), 0, offset++));
        records.add(record(event("s3", "ps", "u1", "1.00", 50, "2026-11-24T10:23:00Z"), Instant.parse("2026-11-24T10:33:00Z"), 0, offset++));
        records.add(record(event("s3", "ps", "u1", "1.00", 55, "2026-11-24T10:23:00Z"), Instant.parse("2026-11-24T10:34:00Z"), 0, offset++));
        // Extremes: the largest revenues both ways and the longest duration, many in one window.
        for (int i = 0; i < 20; i++) {
            records.add(record(event("x" + i, "p-max", i % 2 == 0 ? "999999999999.99" : "-999999999999.99", 1_000_000_000_000L,
                    "2026-11-24T10:00:00.001Z"), Instant.parse("2026-11-24T12:00:00Z"), 0, offset++));
        }
        records.add(record(event("x99", "p-max", "999999999999.99", 1_000_000_000_000L, "9999-12-31T23:59:59.999Z"),
                Instant.parse("2026-11-24T12:00:00Z"), 0, offset++));
        records.add(record(event("x98", "p-max", "0.01", 0, "1970-01-01T00:00:00Z"), Instant.parse("2026-11-24T12:00:00Z"), 0, offset++));
        // Invalid records: not JSON, wrong key, too many fraction digits, negative duration, no value.
        records.add(new Record("p1", "{not json", Instant.parse("2026-11-24T12:00:01Z"), 0, offset++));
        records.add(new Record("p9", EventCodec.encodeToString(event("i1", "p1", "1.00", 1, "2026-11-24T10:00:00Z")),
                Instant.parse("2026-11-24T12:00:01Z"), 0, offset++));
        records.add(new Record("p1", "{\"event_id\":\"i2\",\"product_id\":\"p1\",\"revenue\":\"1.001\",\"duration_ms\":1,"
                + "\"event_time\":\"2026-11-24T10:00:00Z\"}", Instant.parse("2026-11-24T12:00:01Z"), 0, offset++));
        records.add(new Record("p1", "{\"event_id\":\"i3\",\"product_id\":\"p1\",\"revenue\":\"1.00\",\"duration_ms\":-1,"
                + "\"event_time\":\"2026-11-24T10:00:00Z\"}", Instant.parse("2026-11-24T12:00:01Z"), 0, offset++));
        records.add(new Record("p1", null, Instant.parse("2026-11-24T12:00:01Z"), 0, offset++));
        // Ingested at the cutoff: in neither.
        records.add(record(event("late", "p1", "5.00", 5, "2026-11-24T10:00:00Z"), CUTOFF, 0, offset++));

        MasterRecords master = new MasterRecords();
        records.forEach(r -> master.raw(r.key(), r.value(), r.ingest().toString(), r.partition(), r.offset()));
        String root = dir.resolve("master").toUri().toString();
        master.writeRange(spark, root, "1970-01-01T00:00:00Z", "2026-11-26T00:00:00Z");

        List<ViewRow> expected = byMetrics(records);
        List<ViewRow> spark = bySpark(root);

        assertThat(spark).hasSize(expected.size()).containsExactlyElementsOf(expected);
        assertThat(spark).allSatisfy(row -> assertThat(row.metrics().sketches()).as(row.key().toString()).isNotNull());
        Sketches copies = spark.stream().filter(row -> row.key().productId().equals("ps") && row.key().window().granularity() == Granularity.ONE_DAY)
                .findFirst().orElseThrow().metrics().sketches();
        // s1 of u1 (10 ms), s2 of nobody (40 ms), s3 of u1 (50 ms).
        assertThat(copies.users().estimate()).isEqualTo(1);
        assertThat(copies.durations().count()).isEqualTo(3);
        assertThat(List.of(copies.durations().quantile(0), copies.durations().quantile(0.5), copies.durations().quantile(1))).containsExactly(10L, 40L, 50L);
        assertThat(expected).filteredOn(row -> row.key().productId().equals("p-max") && row.key().window().granularity() == Granularity.ONE_DAY)
                .extracting(row -> row.metrics().withSketches(null))
                .contains(new Metrics(20, new BigDecimal("0.00"), 20_000_000_000_000L),
                        new Metrics(1, new BigDecimal("999999999999.99"), 1_000_000_000_000L));
    }

    @Test
    void shufflesTheRecordsOnceByProductAndSortsThemOnce(@TempDir Path dir) {
        String root = dir.resolve("master").toUri().toString();
        new MasterRecords().add(event("e1", "p1", "1.00", 1, "2026-11-24T10:00:00Z"), "2026-11-24T10:00:01Z", 0, 0)
                .writeRange(spark, root, "1970-01-01T00:00:00Z", "2026-11-26T00:00:00Z");

        Dataset<Row> views = ViewAggregation.views(MasterDataset.at(spark, root).judged(CUTOFF).records(), 3);
        String plan = views.queryExecution().executedPlan().toString();

        assertThat(plan.split("Exchange ", -1)).as(plan).hasSize(2);
        assertThat(plan).contains("Exchange hashpartitioning(product_id#");
        assertThat(plan.split("Sort \\[", -1)).as(plan).hasSize(2);
        assertThat(views.javaRDD().getNumPartitions()).isEqualTo(3);
    }

    @Test
    void sumsStayExactBeyondTheRangeOfALong() {
        // Not valid events (their durations are beyond the rules): the aggregate alone, at values a long cannot add.
        List<Row> rows = new ArrayList<>();
        Metrics expected = Metrics.EMPTY;
        for (int i = 0; i < 4; i++) {
            rows.add(RowFactory.create("p", Timestamp.from(Instant.parse("2026-11-24T10:00:00Z")), new BigDecimal("999999999999.99"),
                    Long.MAX_VALUE - i, "u" + i % 2));
            expected = expected.merge(new Metrics(1, new BigDecimal("999999999999.99"), BigInteger.valueOf(Long.MAX_VALUE - i),
                    new Sketches(UserSketch.of("u" + i % 2), DurationSketch.of(Long.MAX_VALUE - i))));
        }

        Metrics total = expected;
        List<ViewRow> views = aggregated(spark.createDataFrame(rows, EVENTS), 2);

        assertThat(views).hasSize(3).allSatisfy(row -> assertThat(row.metrics()).isEqualTo(total));
        assertThat(total.sketches().users().estimate()).isEqualTo(2);
        assertThat(total.sketches().durations().quantile(1)).isEqualTo(Long.MAX_VALUE);
        assertThat(total.durationSumMs()).isEqualTo(BigInteger.valueOf(Long.MAX_VALUE).multiply(BigInteger.valueOf(4)).subtract(BigInteger.valueOf(6)));
        assertThat(total.revenue()).isEqualTo(new BigDecimal("3999999999999.96"));
    }

    @Test
    void sketchesAreTheModelsEvenBeyondExactSizes() {
        // 6 000 users and 20 000 durations in one window: the HLL sketch past its exact modes, the KLL sketch compacted.
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            rows.add(RowFactory.create("p", Timestamp.from(Instant.parse("2026-11-24T10:00:00Z")), BigDecimal.ONE.setScale(2), (long) i,
                    i % 10 == 0 ? null : "user-" + i % 6_000));
        }

        ViewRow day = aggregated(spark.createDataFrame(rows, EVENTS).repartition(4), 2).stream()
                .filter(row -> row.key().window().granularity() == Granularity.ONE_DAY)
                .findFirst().orElseThrow();
        Sketches sketches = day.metrics().sketches();

        // The users named: i % 6000 of every i not divisible by 10.
        long users = IntStream.range(0, 20_000).filter(i -> i % 10 != 0).map(i -> i % 6_000).distinct().count();
        assertThat((double) sketches.users().estimate()).isCloseTo(users, Offset.offset(3 * UserSketch.relativeStandardError() * users));
        assertThat(sketches.durations().count()).isEqualTo(20_000);
        assertThat((double) sketches.durations().quantile(0.5)).isCloseTo(10_000, Offset.offset(DurationSketch.normalizedRankError() * 20_000));
        // common-model merges the batch views' binaries with its own sketches.
        Sketches merged = sketches.merge(new Sketches(UserSketch.of("someone-new"), DurationSketch.of(-1)));
        assertThat(merged.durations().count()).isEqualTo(20_001);
        assertThat(merged.durations().quantile(0)).isEqualTo(-1);
        assertThat(merged.users().estimate()).isBetween(sketches.users().estimate(), sketches.users().estimate() + 2);
    }

    @Test
    void aProductWithMoreWindowsThanAPassKeepsComesOutWhole() {
        // 20 000 five-minute windows of one product, more than a pass keeps before it hands windows on, each window with
        // two events that lie far apart in the input: the pass hands windows on only between product groups.
        int windows = 20_000;
        List<Row> rows = new ArrayList<>();
        for (int copy = 0; copy < 2; copy++) {
            for (int i = 0; i < windows; i++) {
                rows.add(RowFactory.create("p", Timestamp.from(Instant.parse("2026-01-01T00:00:00Z").plusSeconds(300L * i + copy)),
                        new BigDecimal("1.25").multiply(BigDecimal.valueOf(copy + 1)), 10L + copy, "u" + copy));
            }
        }

        List<ViewRow> views = aggregated(spark.createDataFrame(rows, EVENTS), 1);

        List<ViewRow> finest = views.stream().filter(row -> row.key().window().granularity() == Granularity.FIVE_MINUTES).toList();
        assertThat(finest).hasSize(windows).allSatisfy(row -> {
            assertThat(row.metrics().withSketches(null)).isEqualTo(new Metrics(2, new BigDecimal("3.75"), 21));
            assertThat(row.metrics().sketches().users().estimate()).isEqualTo(2);
            assertThat(row.metrics().sketches().durations().quantile(0)).isEqualTo(10);
            assertThat(row.metrics().sketches().durations().quantile(1)).isEqualTo(11);
        });
        assertThat(views.stream().filter(row -> row.key().window().granularity() == Granularity.ONE_DAY).mapToLong(row -> row.metrics().eventCount()))
                .hasSize(70).containsOnly(2L * 288, 2L * (windows - 69 * 288));
        assertThat(WindowPass.MAX_WINDOWS).isLessThan(windows);
    }

    @Test
    void manyProductsInOnePartitionComeOutWhole() {
        // 4 000 products of 5 five-minute windows each in one Spark partition: 28 000 windows of all granularities, so
        // the pass hands windows on several times. Every window is whole and comes out once.
        int products = 4_000;
        List<Row> rows = new ArrayList<>();
        for (int copy = 0; copy < 2; copy++) {
            for (int p = 0; p < products; p++) {
                for (int w = 0; w < 5; w++) {
                    rows.add(RowFactory.create("product-" + p, Timestamp.from(Instant.parse("2026-01-01T00:00:00Z").plusSeconds(300L * w + copy)),
                            new BigDecimal("1.00"), 100L * copy + w, "u" + p));
                }
            }
        }

        List<ViewRow> views = aggregated(spark.createDataFrame(rows, EVENTS), 1);

        assertThat(views).hasSize(products * 7);
        assertThat(views.stream().map(ViewRow::key).distinct().count()).isEqualTo(products * 7L);
        assertThat(views).allSatisfy(row -> {
            long events = row.key().window().granularity() == Granularity.FIVE_MINUTES ? 2 : 10;
            assertThat(row.metrics().eventCount()).isEqualTo(events);
            assertThat(row.metrics().revenue()).isEqualByComparingTo(BigDecimal.valueOf(events));
            assertThat(row.metrics().sketches().users().estimate()).isEqualTo(1);
            assertThat(row.metrics().sketches().durations().count()).isEqualTo(events);
        });
        assertThat(products * 7).isGreaterThan(WindowPass.MAX_WINDOWS);
    }

    private List<ViewRow> bySpark(String root) {
        return ViewAggregation.views(MasterDataset.at(spark, root).judged(CUTOFF).records(), 3).collectAsList().stream()
                .map(ViewAggregation::viewRow)
                .sorted(Comparator.comparing(ViewRow::key))
                .toList();
    }

    /** The Kafka Streams side's functions: judge, keep the first copy by (ingest, partition, offset), Metrics.of, merge. */
    private static List<ViewRow> byMetrics(List<Record> records) {
        Map<Object, Record> firsts = new HashMap<>();
        Map<Object, Event> events = new HashMap<>();
        Comparator<Record> ingestOrder = Comparator.comparing(Record::ingest).thenComparingInt(Record::partition).thenComparingLong(Record::offset);
        for (Record record : records) {
            if (!record.ingest().isBefore(CUTOFF)) {
                continue;
            }
            EventVerdict verdict = EventCodec.decode(bytes(record.key()), bytes(record.value()));
            if (verdict instanceof EventVerdict.Valid valid) {
                Object identity = valid.event().identity();
                Record first = firsts.get(identity);
                if (first == null || ingestOrder.compare(record, first) < 0) {
                    firsts.put(identity, record);
                    events.put(identity, valid.event());
                }
            }
        }
        Map<ViewKey, Metrics> views = new TreeMap<>();
        for (Event event : events.values()) {
            for (ViewKey key : ViewKey.allOf(event)) {
                views.merge(key, Metrics.of(event), Metrics::merge);
            }
        }
        return views.entrySet().stream().map(entry -> new ViewRow(entry.getKey(), entry.getValue())).toList();
    }

    private static Record record(Event event, Instant ingest, int partition, long offset) {
        return new Record(event.productId(), EventCodec.encodeToString(event), ingest, partition, offset);
    }

    private static byte[] bytes(String text) {
        return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
    }

    /** {@link ViewAggregation#aggregate} of events (one a row, {@link #EVENTS}), as view rows. */
    private static List<ViewRow> aggregated(Dataset<Row> events, int partitions) {
        return ViewAggregation.aggregate(events, partitions).collectAsList().stream().map(ViewAggregation::viewRow).toList();
    }
}
