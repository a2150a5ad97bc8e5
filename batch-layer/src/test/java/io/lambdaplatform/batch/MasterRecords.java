package io.lambdaplatform.batch;

import io.lambdaplatform.batch.internal.IdentityFingerprint;
import io.lambdaplatform.model.Event;
import io.lambdaplatform.model.EventCodec;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Builds raw master-dataset records for tests, as the archive stage would have read them from Kafka. */
final class MasterRecords {

    private final List<Row> rows = new ArrayList<>();

    static Event event(String id, String product, String revenue, long durationMs, String eventTime) {
        return event(id, product, null, revenue, durationMs, eventTime);
    }

    /** An event of a user ({@code null}: of none). */
    static Event event(String id, String product, String userId, String revenue, long durationMs, String eventTime) {
        return new Event(id, product, userId, new BigDecimal(revenue), durationMs, Instant.parse(eventTime));
    }

    MasterRecords add(Event event, String ingestTime, int partition, long offset) {
        return raw(event.productId(), EventCodec.encodeToString(event), ingestTime, partition, offset);
    }

    MasterRecords raw(String key, String value, String ingestTime, int partition, long offset) {
        rows.add(RowFactory.create(
                key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8),
                Timestamp.from(Instant.parse(ingestTime)), partition, offset));
        return this;
    }

    Dataset<Row> toDataset(SparkSession spark) {
        return spark.createDataFrame(rows, MasterDataset.SCHEMA);
    }

    /** Writes the records as one Kafka range of the master dataset at {@code root}. */
    ArchivedRange writeRange(SparkSession spark, String root, String from, String to) {
        IngestRange range = new IngestRange(Instant.parse(from), Instant.parse(to));
        return MasterDataset.at(spark, root).write(range.id(), ArchivedRange.Source.KAFKA, range.from(), range.to(), "events",
                toDataset(spark));
    }

    /**
     * Rewrites a range as a release before identity fingerprints wrote it: its files without the fingerprint columns,
     * its manifest entry without the flag.
     */
    static ArchivedRange withoutFingerprints(SparkSession spark, String root, ArchivedRange range) {
        MasterDataset master = MasterDataset.at(spark, root);
        String files = master.rangePath(range.id()).toString();
        String copy = root + "/rewritten-" + range.id();
        spark.read().parquet(files).drop(IdentityFingerprint.HIGH, IdentityFingerprint.LOW)
                .write().partitionBy(MasterDataset.INGEST_DATE).mode(SaveMode.Overwrite).parquet(copy);
        try {
            FileSystem fs = new Path(root).getFileSystem(spark.sparkContext().hadoopConfiguration());
            fs.delete(new Path(files), true);
            if (!fs.rename(new Path(copy), new Path(files))) {
                throw new IllegalStateException("Cannot move " + copy + " to " + files);
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ArchivedRange earlier = new ArchivedRange(range.id(), range.source(), range.from(), range.to(), range.records(), range.writtenAt(),
                range.origin(), range.offsets(), range.holes(), range.ingestEff(), range.rulesVersion(), false);
        master.commit(earlier);
        return earlier;
    }
}
