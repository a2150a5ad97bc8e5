package io.lambdaplatform.viewstore;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.metadata.schema.KeyspaceMetadata;
import io.lambdaplatform.model.config.KeyspaceName;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The platform's Cassandra schema: the only place its tables are defined. Applying it is idempotent
 * ({@code IF NOT EXISTS}), so every deployable may call {@link #create} at start-up.
 */
public final class ViewSchema {

    /** Batch view rows; a version is written once and never changed. */
    public static final String BATCH_VIEWS = "batch_views";
    /**
     * Which partitions a version has rows in and where they are stored ({@link #STORED_IN}, {@link #OVERLAY_IN}): serving
     * reads a version through it, and removing a version is a few partition deletes.
     */
    public static final String BATCH_VIEW_PARTITIONS = "batch_view_partitions";
    /** Which products a version has rows for. */
    public static final String BATCH_VIEW_PRODUCTS = "batch_view_products";
    /** Every version, published or not, newest first, in one partition. */
    public static final String BATCH_VERSIONS = "batch_versions";
    /** How each version was computed (full or incremental, on what), so that the next run can build on it. */
    public static final String BATCH_BUILDS = "batch_builds";
    /** The one row readers look at: which version is current. */
    public static final String BATCH_POINTER = "batch_pointer";
    /** Who may write the batch layer's master dataset and views now: one row, kept alive by TTL. */
    public static final String BATCH_LEASE = "batch_lease";
    /** Records of the events topic the batch layer never archived because the log deleted them first. */
    public static final String BATCH_HOLES = "batch_holes";
    /**
     * Unused since the speed layer writes {@link #SPEED_ROWS}: its rows carry wall-clock write timestamps
     * that would win over the ordered writes. Kept so that existing keyspaces and tools stay valid.
     */
    public static final String SPEED_VIEWS = "speed_views";
    /**
     * Unused since the speed layer writes {@link #SPEED_ROWS_BY_INGEST}: clustered by event-time window, a read of the rows
     * at or after a batch cutoff had to read every row of the range. No longer created; in a keyspace of an earlier
     * release the new speed layer copies its rows once ({@link SpeedRowsUpgrade}), then it stays unused.
     */
    public static final String SPEED_ROWS = "speed_rows";
    /**
     * Speed-layer rows by (product, ingest day) partition, (ingest bucket, window, source partition, correction)
     * clustering, so that a read starts at the batch cutoff; TTL'd; written {@code USING TIMESTAMP} = the row's version.
     */
    public static final String SPEED_ROWS_BY_INGEST = "speed_rows_by_ingest";
    /** Which ingest days of a product hold speed rows; each entry outlives the rows it points at. */
    public static final String SPEED_INGEST_DAYS = "speed_ingest_days";
    public static final String SPEED_PRODUCTS = "speed_products";
    /** The same products in one partition, sorted, so that a prefix is a slice instead of a scan. */
    public static final String SPEED_PRODUCT_NAMES = "speed_product_names";
    /** Unused since {@link #SPEED_WATERMARKS}; kept like {@link #SPEED_VIEWS}. */
    public static final String SPEED_PROGRESS = "speed_progress";
    /**
     * One row per data upgrade that has completed ({@link #SPEED_ROWS_UPGRADE}: the rows of {@link #SPEED_ROWS} copied,
     * see {@link LegacyRowsCopy}); never expires.
     */
    public static final String VIEW_UPGRADES = "view_upgrades";
    /** The name of the copy of {@link #SPEED_ROWS} in {@link #VIEW_UPGRADES}. */
    public static final String SPEED_ROWS_UPGRADE = "speed_rows_by_ingest";
    /** Progress per (source partition, product task), written {@code USING TIMESTAMP} = the watermark. */
    public static final String SPEED_WATERMARKS = "speed_watermarks";
    /** Records deleted from the log before the speed layer read them. */
    public static final String SPEED_HOLES = "speed_holes";
    /** Unused since {@link #SPEED_DEAD_LETTER_TOTALS}; kept like {@link #SPEED_VIEWS}. */
    public static final String SPEED_DEAD_LETTERS = "speed_dead_letters";
    /** Dead-letter totals per (partition, reason), written {@code USING TIMESTAMP} = the source offset counted up to. */
    public static final String SPEED_DEAD_LETTER_TOTALS = "speed_dead_letter_totals";

    /** Kappa mode: every set of stream-built views ({@link ViewSet}), newest first, in one partition. */
    public static final String VIEW_SETS = "view_sets";
    /** Kappa mode: the one row readers look at, which set of views is current ({@link ViewSets}). */
    public static final String VIEW_SET_POINTER = "view_set_pointer";

    /**
     * The exact duration sum of a batch view row ({@code varint}). Rows written before it existed have only the
     * 64-bit {@code duration_sum_ms}, which is still read for them.
     */
    public static final String DURATION_TOTAL = "duration_total_ms";

    /**
     * Per partition in {@link #BATCH_VIEW_PARTITIONS}: the version whose rows the partition's are ({@link StoredPartition}),
     * an older one when an incremental run shared the partition instead of writing it again. Null in rows of an earlier
     * release, which wrote every partition of its version itself.
     */
    public static final String STORED_IN = "stored_in";

    /**
     * Per partition in {@link #BATCH_VIEW_PARTITIONS}: the version whose rows of the partition's changed windows replace
     * the stored ones ({@link StoredPartition#overlayIn}); null when the stored rows are all of it.
     */
    public static final String OVERLAY_IN = "overlay_in";

    /**
     * Per source partition in {@link #SPEED_WATERMARKS}: the partition never held a record ingested before this
     * (its first record's ingest time), so nothing before it can be missing. Null in rows of an earlier release.
     */
    public static final String LOG_BEGINS = "log_begins";

    /** Speed rows outlive this unless the speed layer writes them with another TTL. */
    public static final Duration DEFAULT_SPEED_RETENTION = Duration.ofDays(7);

    private ViewSchema() {}

    /**
     * Creates the keyspace (SimpleStrategy) and every table if they do not exist, adds the columns that
     * tables created by an earlier release lack ({@link #upgrades}), and waits for schema agreement. In a keyspace
     * without the earlier release's {@link #SPEED_ROWS} it records that there are no rows to copy
     * ({@link LegacyRowsCopy#NOTHING_TO_COPY}); where that table exists, the speed layer copies its rows at start-up.
     */
    public static void create(CqlSession session, String keyspace, int replicationFactor) {
        SchemaChanges.run(session, ddl -> {
            statements(keyspace, replicationFactor).forEach(ddl::execute);
            Optional<KeyspaceMetadata> created = ddl.keyspace(keyspace);
            for (ColumnUpgrade upgrade : upgrades()) {
                boolean present = created.flatMap(metadata -> metadata.getTable(upgrade.table()))
                        .flatMap(table -> table.getColumn(upgrade.column()))
                        .isPresent();
                if (!present) {
                    ddl.execute(upgrade.statement(keyspace));
                }
            }
        });
        if (!new CassandraLegacySpeedRows(session, keyspace).exists()) {
            // No earlier release wrote speed rows here: nothing to copy. A marker that is there (of a copy, before an
            // operator dropped the earlier table) stays; without one, nothing but this writes NOTHING_TO_COPY.
            CassandraSpeedViews speed = new CassandraSpeedViews(session, keyspace);
            if (speed.legacyRowsCopy().isEmpty()) {
                speed.recordLegacyRowsCopy(LegacyRowsCopy.NOTHING_TO_COPY);
            }
        }
    }

    /**
     * Creates the keyspace of a Kappa-mode set of views ({@link ViewSet}) with the speed layer's tables only, and records
     * that no earlier release's rows are to be copied into it: a set is built from the log, by this release. Idempotent.
     */
    public static void createViewSet(CqlSession session, String keyspace, int replicationFactor) {
        List<String> speedTables = List.of(SPEED_ROWS_BY_INGEST, SPEED_INGEST_DAYS, SPEED_PRODUCTS, SPEED_PRODUCT_NAMES, VIEW_UPGRADES,
                SPEED_WATERMARKS, SPEED_HOLES, SPEED_DEAD_LETTER_TOTALS);
        SchemaChanges.run(session, ddl -> statements(keyspace, replicationFactor).stream()
                .filter(cql -> cql.startsWith("CREATE KEYSPACE") || speedTables.stream().anyMatch(table -> cql.contains("." + table + " (")))
                .forEach(ddl::execute));
        CassandraSpeedViews speed = new CassandraSpeedViews(session, keyspace);
        if (speed.legacyRowsCopy().isEmpty()) {
            speed.recordLegacyRowsCopy(LegacyRowsCopy.NOTHING_TO_COPY);
        }
    }

    /** A column added to a table after its first release: {@code ALTER TABLE ... ADD} where it is missing. */
    public record ColumnUpgrade(String table, String column, String type) {
        public String statement(String keyspace) {
            return "ALTER TABLE " + keyspace + "." + table + " ADD " + column + " " + type;
        }
    }

    /** The columns {@link #create} adds to tables of an earlier release; operators who apply schema by hand run these too. */
    public static List<ColumnUpgrade> upgrades() {
        return List.of(new ColumnUpgrade(BATCH_VIEWS, DURATION_TOTAL, "varint"), new ColumnUpgrade(SPEED_WATERMARKS, LOG_BEGINS, "timestamp"),
                new ColumnUpgrade(BATCH_VIEWS, SketchColumns.USERS, "blob"), new ColumnUpgrade(BATCH_VIEWS, SketchColumns.DURATIONS, "blob"),
                new ColumnUpgrade(SPEED_ROWS_BY_INGEST, SketchColumns.USERS, "blob"),
                new ColumnUpgrade(SPEED_ROWS_BY_INGEST, SketchColumns.DURATIONS, "blob"),
                new ColumnUpgrade(BATCH_VIEW_PARTITIONS, STORED_IN, "bigint"),
                new ColumnUpgrade(BATCH_VIEW_PARTITIONS, OVERLAY_IN, "bigint"));
    }

    /** The statements {@link #create} runs, for operators who apply schema by hand (e.g. with NetworkTopologyStrategy). */
    public static List<String> statements(String keyspace, int replicationFactor) {
        KeyspaceName.requireValid(keyspace, "keyspace");
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("Replication factor must be at least 1: " + replicationFactor);
        }
        String k = keyspace + ".";
        long defaultTtl = DEFAULT_SPEED_RETENTION.toSeconds();
        return List.of(
                "CREATE KEYSPACE IF NOT EXISTS " + keyspace
                        + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': " + replicationFactor + "}",
                "CREATE TABLE IF NOT EXISTS " + k + BATCH_VIEWS + " ("
                        + "version bigint, product_id text, granularity text, partition_start timestamp, "
                        + "window_start timestamp, event_count bigint, revenue decimal, duration_sum_ms bigint, "
                        + DURATION_TOTAL + " varint, " + SketchColumns.USERS + " blob, " + SketchColumns.DURATIONS + " blob, "
                        + "PRIMARY KEY ((version, product_id, granularity, partition_start), window_start))",
                "CREATE TABLE IF NOT EXISTS " + k + BATCH_VIEW_PARTITIONS + " ("
                        + "version bigint, product_id text, granularity text, partition_start timestamp, " + STORED_IN + " bigint, " + OVERLAY_IN + " bigint, "
                        + "PRIMARY KEY ((version, product_id), granularity, partition_start))",
                "CREATE TABLE IF NOT EXISTS " + k + BATCH_VIEW_PRODUCTS + " ("
                        + "version bigint, product_id text, PRIMARY KEY ((version), product_id))",
                "CREATE TABLE IF NOT EXISTS " + k + BATCH_VERSIONS + " ("
                        + "scope text, version bigint, cutoff timestamp, computed_at timestamp, published_at timestamp, "
                        + "view_rows bigint, event_count bigint, "
                        + "PRIMARY KEY ((scope), version)) WITH CLUSTERING ORDER BY (version DESC)",
                "CREATE TABLE IF NOT EXISTS " + k + BATCH_BUILDS + " ("
                        + "scope text, version bigint, kind text, base_version bigint, rules_version int, views text, basis text, "
                        + "last_full_at timestamp, PRIMARY KEY ((scope), version))",
                "CREATE TABLE IF NOT EXISTS " + k + BATCH_POINTER + " ("
                        + "scope text PRIMARY KEY, version bigint, cutoff timestamp, computed_at timestamp, "
                        + "published_at timestamp, view_rows bigint, event_count bigint)",
                "CREATE TABLE IF NOT EXISTS " + k + BATCH_LEASE + " ("
                        + "scope text PRIMARY KEY, holder text, since timestamp, renewed_at timestamp)",
                "CREATE TABLE IF NOT EXISTS " + k + BATCH_HOLES + " ("
                        + "scope text, layer text, partition int, from_offset bigint, to_offset bigint, "
                        + "from_ingest timestamp, to_ingest timestamp, "
                        + "PRIMARY KEY ((scope), layer, partition, from_offset))",
                "CREATE TABLE IF NOT EXISTS " + k + SPEED_VIEWS + " ("
                        + "product_id text, partition_start timestamp, window_start timestamp, ingest_bucket timestamp, "
                        + "event_count bigint, revenue decimal, duration_sum_ms bigint, "
                        + "PRIMARY KEY ((product_id, partition_start), window_start, ingest_bucket)) "
                        + "WITH default_time_to_live = " + defaultTtl,
                "CREATE TABLE IF NOT EXISTS " + k + SPEED_PRODUCTS + " ("
                        + "product_id text PRIMARY KEY) WITH default_time_to_live = " + defaultTtl,
                "CREATE TABLE IF NOT EXISTS " + k + SPEED_PROGRESS + " ("
                        + "scope text, partition int, watermark timestamp, covered_since timestamp, "
                        + "retention_seconds bigint, updated_at timestamp, PRIMARY KEY ((scope), partition))",
                "CREATE TABLE IF NOT EXISTS " + k + SPEED_DEAD_LETTERS + " ("
                        + "scope text, partition int, reason text, count bigint, "
                        + "PRIMARY KEY ((scope), partition, reason))",
                "CREATE TABLE IF NOT EXISTS " + k + SPEED_ROWS_BY_INGEST + " ("
                        + "product_id text, ingest_day timestamp, ingest_bucket timestamp, window_start timestamp, "
                        + "source_partition int, correction text, event_count bigint, revenue decimal, duration_sum_ms varint, "
                        + SketchColumns.USERS + " blob, " + SketchColumns.DURATIONS + " blob, "
                        + "PRIMARY KEY ((product_id, ingest_day), ingest_bucket, window_start, source_partition, correction)) "
                        + "WITH default_time_to_live = " + defaultTtl,
                "CREATE TABLE IF NOT EXISTS " + k + SPEED_PRODUCT_NAMES + " ("
                        + "scope text, product_id text, PRIMARY KEY ((scope), product_id)) WITH default_time_to_live = " + defaultTtl,
                "CREATE TABLE IF NOT EXISTS " + k + SPEED_INGEST_DAYS + " ("
                        + "product_id text, ingest_day timestamp, PRIMARY KEY ((product_id), ingest_day)) "
                        + "WITH default_time_to_live = " + defaultTtl,
                "CREATE TABLE IF NOT EXISTS " + k + VIEW_UPGRADES + " ("
                        + "name text PRIMARY KEY, copied_from timestamp, rows_copied bigint, completed_at timestamp)",
                "CREATE TABLE IF NOT EXISTS " + k + SPEED_WATERMARKS + " ("
                        + "scope text, source_partition int, task int, task_count int, watermark timestamp, covered_since timestamp, "
                        + "retention_seconds bigint, updated_at timestamp, " + LOG_BEGINS + " timestamp, "
                        + "PRIMARY KEY ((scope), source_partition, task))",
                "CREATE TABLE IF NOT EXISTS " + k + SPEED_HOLES + " ("
                        + "scope text, partition int, from_offset bigint, to_offset bigint, from_ingest timestamp, to_ingest timestamp, "
                        + "PRIMARY KEY ((scope), partition, from_offset))",
                "CREATE TABLE IF NOT EXISTS " + k + SPEED_DEAD_LETTER_TOTALS + " ("
                        + "scope text, partition int, reason text, count bigint, "
                        + "PRIMARY KEY ((scope), partition, reason))",
                "CREATE TABLE IF NOT EXISTS " + k + VIEW_SETS + " ("
                        + "scope text, id bigint, keyspace_name text, logic_version text, rules text, created_at timestamp, switched_at timestamp, "
                        + "PRIMARY KEY ((scope), id)) WITH CLUSTERING ORDER BY (id DESC)",
                "CREATE TABLE IF NOT EXISTS " + k + VIEW_SET_POINTER + " ("
                        + "scope text PRIMARY KEY, id bigint, previous bigint, switched_at timestamp)");
    }
}
