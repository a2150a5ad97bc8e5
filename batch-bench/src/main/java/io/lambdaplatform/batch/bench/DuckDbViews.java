package io.lambdaplatform.batch.bench;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The reference engine: DuckDB computes the batch views from the master dataset's Parquet files, with the same rules as
 * the batch job, so that the two can be compared row by row and in time.
 *
 * <p>It reads the files where S3Proxy's filesystem back end keeps them ({@code STACK/s3/BUCKET/MASTER/events/...}):
 * the bytes S3A wrote, without DuckDB's {@code httpfs} extension, which is not part of the JDBC driver and would be
 * downloaded at run time. Only ranges that have a manifest entry are read, as the batch job does. The validity rules
 * are {@code EventCodec}'s. When every range was judged on archiving (its manifest entry has a {@code rules_version}),
 * DuckDB reads the verdict and decoded fields from the typed columns, as the batch job does, so that both do the same
 * work; otherwise it judges the raw JSON itself, with {@code EventCodec}'s rules written in SQL for the forms the
 * benchmark's loader sends: JSON objects with string revenue (or a plain number), integer duration and ISO-8601 or
 * epoch-millisecond event time; duplicate JSON keys are not detected. The views must equal the published ones, which
 * catches any record the two judge differently.
 */
final class DuckDbViews {

    private final Path masterDir;
    private final int threads;

    private static final Pattern JUDGED = Pattern.compile("\"rules_version\"\\s*:\\s*[1-9]");

    /**
     * What DuckDB computed and how long it took, from opening the files to the view rows in a table; {@code typed}
     * when it read the typed columns, not the raw JSON.
     */
    record Result(ViewTable views, long recordsRead, Duration took, boolean typed) {}

    DuckDbViews(Path masterDir, int threads) {
        this.masterDir = masterDir;
        this.threads = threads;
    }

    /** Whether every range in the manifest was judged on archiving: its files have the typed columns. */
    boolean everyRangeJudged() throws IOException {
        try (Stream<Path> manifest = Files.list(masterDir.resolve("_manifest"))) {
            for (Path entry : manifest.filter(path -> path.getFileName().toString().endsWith(".json")).toList()) {
                if (!JUDGED.matcher(Files.readString(entry)).find()) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The Parquet files of every range in the manifest. */
    List<Path> files() throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> manifest = Files.list(masterDir.resolve("_manifest"))) {
            for (Path entry : manifest.filter(path -> path.getFileName().toString().endsWith(".json")).sorted().toList()) {
                String range = entry.getFileName().toString().replaceFirst("\\.json$", "");
                Path dir = masterDir.resolve("events").resolve("range=" + range);
                if (Files.isDirectory(dir)) {
                    try (Stream<Path> walk = Files.walk(dir)) {
                        walk.filter(path -> path.getFileName().toString().endsWith(".parquet")).sorted().forEach(files::add);
                    }
                }
            }
        }
        return files;
    }

    Result compute(Instant cutoff) throws IOException, SQLException {
        List<Path> files = files();
        if (files.isEmpty()) {
            throw new IllegalStateException("No Parquet files of archived ranges below " + masterDir);
        }
        String fileList = files.stream().map(path -> "'" + path.toString().replace("'", "''") + "'")
                .collect(Collectors.joining(", ", "[", "]"));
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
             Statement statement = connection.createStatement()) {
            statement.execute("SET threads = " + threads);
            statement.execute("SET TimeZone = 'UTC'");
            boolean typed = everyRangeJudged();
            long started = System.nanoTime();
            statement.execute("CREATE TEMP TABLE views AS " + (typed ? typedViewsSql(fileList, cutoff) : viewsSql(fileList, cutoff)));
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            long records;
            try (ResultSet count = statement.executeQuery("SELECT count(*) FROM read_parquet(" + fileList + ")"
                    + " WHERE ingest_eff < make_timestamp(" + cutoff.toEpochMilli() * 1000 + ")")) {
                count.next();
                records = count.getLong(1);
            }
            ViewTable views = new ViewTable();
            try (ResultSet rows = statement.executeQuery(
                    "SELECT product_id, granularity, window_start_ms, event_count, revenue::VARCHAR, duration_sum::VARCHAR FROM views")) {
                while (rows.next()) {
                    views.put(new ViewTable.Cell(rows.getString(1), rows.getString(2), Instant.ofEpochMilli(rows.getLong(3))),
                            new ViewTable.Aggregate(rows.getLong(4), new java.math.BigDecimal(rows.getString(5)),
                                    new BigInteger(rows.getString(6))));
                }
            }
            return new Result(views, records, took, typed);
        }
    }

    /**
     * First copy per (product, event id) of the valid records by (ingest_eff, partition, offset), then count, revenue and
     * duration per product and 5m, 1h and 1d window, from the columns the batch job stored when it judged each record.
     */
    static String typedViewsSql(String fileList, Instant cutoff) {
        return """
                WITH firsts AS (
                    SELECT product_id, event_id,
                        arg_min(struct_pack(revenue, duration_ms, event_ms := epoch_ms(event_time)),
                                struct_pack(ingest_eff, p := "partition", o := "offset")) AS e
                    FROM read_parquet(%s)
                    WHERE ingest_eff < make_timestamp(%d) AND valid
                    GROUP BY product_id, event_id
                )
                SELECT product_id, g.label AS granularity, e.event_ms // g.width_ms * g.width_ms AS window_start_ms,
                    count(*) AS event_count, sum(e.revenue) AS revenue, sum(e.duration_ms::HUGEINT) AS duration_sum
                FROM firsts, (VALUES ('5m', 300000), ('1h', 3600000), ('1d', 86400000)) AS g(label, width_ms)
                GROUP BY ALL
                """.formatted(fileList, cutoff.toEpochMilli() * 1000);
    }

    /**
     * Judge, first copy per (product, event id) by (ingest_eff, partition, offset), then count, revenue and duration per
     * product and 5m, 1h and 1d window.
     */
    static String viewsSql(String fileList, Instant cutoff) {
        return """
                WITH raw AS (
                    SELECT decode(key) AS k, TRY(decode(value)) AS v, ingest_eff, "partition" AS p, "offset" AS o
                    FROM read_parquet(%s)
                    WHERE ingest_eff < make_timestamp(%d)
                ), json AS (
                    SELECT k, v::JSON AS j, ingest_eff, p, o FROM raw
                    WHERE v IS NOT NULL AND octet_length(encode(v)) <= 1048576 AND json_valid(v) AND json_type(v::JSON) = 'OBJECT'
                ), fields AS (
                    SELECT k, ingest_eff, p, o,
                        json_type(j, '$.event_id') AS t_id, j->>'$.event_id' AS event_id,
                        json_type(j, '$.product_id') AS t_product, j->>'$.product_id' AS product_id,
                        json_type(j, '$.user_id') AS t_user,
                        json_type(j, '$.revenue') AS t_revenue, j->>'$.revenue' AS revenue_text,
                        json_type(j, '$.duration_ms') AS t_duration, TRY_CAST(j->>'$.duration_ms' AS BIGINT) AS duration_ms,
                        json_type(j, '$.event_time') AS t_time, j->>'$.event_time' AS time_text
                    FROM json
                ), valid AS (
                    SELECT product_id, event_id, ingest_eff, p, o, duration_ms,
                        CAST(revenue_text AS DECIMAL(18, 2)) AS revenue,
                        CASE WHEN t_time = 'VARCHAR' THEN epoch_ms(TRY_CAST(time_text AS TIMESTAMPTZ))
                             ELSE TRY_CAST(time_text AS BIGINT) END AS event_ms
                    FROM fields
                    WHERE t_id = 'VARCHAR' AND length(event_id) BETWEEN 1 AND 128
                      AND t_product = 'VARCHAR' AND length(product_id) BETWEEN 1 AND 128
                      AND regexp_full_match(product_id, '[A-Za-z0-9._:-]+') AND k = product_id
                      AND (t_user IS NULL OR t_user IN ('NULL', 'VARCHAR'))
                      AND t_revenue IN ('VARCHAR', 'UBIGINT', 'BIGINT', 'DOUBLE')
                      AND regexp_full_match(revenue_text, '-?[0-9]{1,20}(\\.[0-9]{1,2}0{0,18})?')
                      AND abs(CAST(revenue_text AS DECIMAL(38, 2))) < 1000000000000
                      AND t_duration IN ('UBIGINT', 'BIGINT') AND duration_ms BETWEEN 0 AND 1000000000000
                      AND t_time IN ('VARCHAR', 'UBIGINT', 'BIGINT')
                      AND (t_time <> 'VARCHAR' OR regexp_full_match(time_text,
                            '[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,9})?)?Z'))
                ), firsts AS (
                    SELECT product_id, event_id,
                        arg_min(struct_pack(revenue, duration_ms, event_ms), struct_pack(ingest_eff, p, o)) AS e
                    FROM valid
                    WHERE event_ms BETWEEN 0 AND 253402300799999
                    GROUP BY product_id, event_id
                )
                SELECT product_id, g.label AS granularity, e.event_ms // g.width_ms * g.width_ms AS window_start_ms,
                    count(*) AS event_count, sum(e.revenue) AS revenue, sum(e.duration_ms::HUGEINT) AS duration_sum
                FROM firsts, (VALUES ('5m', 300000), ('1h', 3600000), ('1d', 86400000)) AS g(label, width_ms)
                GROUP BY ALL
                """.formatted(fileList, cutoff.toEpochMilli() * 1000);
    }
}
