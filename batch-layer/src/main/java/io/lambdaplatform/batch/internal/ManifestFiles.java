package io.lambdaplatform.batch.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lambdaplatform.batch.ArchivedRange;
import io.lambdaplatform.batch.MasterDatasetException;
import io.lambdaplatform.batch.PartitionOffsets;
import io.lambdaplatform.viewstore.IngestHole;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The manifest of the master dataset: one small JSON object per completely written range. Each is
 * written with a single create (on S3 a single PUT, so it appears whole or not at all) after the range's
 * data is committed.
 *
 * <p>Kafka ranges also list, per partition, the offsets they hold and the ingest time of the last record
 * ({@code "offsets": [{"partition": 0, "from": 0, "to": 42, "last_ingest": "..."}]}) and the holes the operator
 * accepted ({@code "holes": [...]}); {@code "ingest_eff": true} says the files have the {@code ingest_eff} column;
 * {@code "rules_version": n} that they have the records' verdicts, judged with {@code EventRules.VERSION} n;
 * {@code "identity_fingerprints": true} that they have the valid records' identity fingerprints. Entries written before
 * have none of these and read as empty, false, {@link ArchivedRange#RAW_ONLY} and false.
 */
public final class ManifestFiles {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ManifestFiles() {}

    public static List<ArchivedRange> readAll(FileSystem fs, Path directory) {
        List<ArchivedRange> ranges = new ArrayList<>();
        FileStatus[] entries;
        try {
            entries = fs.listStatus(directory);
        }
        catch (FileNotFoundException e) {
            return ranges;
        }
        catch (IOException e) {
            throw new MasterDatasetException("Cannot list the manifest " + directory + ": " + e.getMessage(), e);
        }
        for (FileStatus entry : entries) {
            if (entry.isFile() && entry.getPath().getName().endsWith(".json")) {
                ranges.add(read(fs, entry.getPath()));
            }
        }
        return ranges;
    }

    public static void write(FileSystem fs, Path directory, ArchivedRange range) {
        ObjectNode node = JSON.createObjectNode()
                .put("id", range.id())
                .put("source", range.source().name().toLowerCase(java.util.Locale.ROOT))
                .put("from", range.from().toString())
                .put("to", range.to().toString())
                .put("records", range.records())
                .put("written_at", range.writtenAt().toString())
                .put("origin", range.origin())
                .put("ingest_eff", range.ingestEff())
                .put("rules_version", range.rulesVersion())
                .put("identity_fingerprints", range.identityFingerprints());
        ArrayNode offsets = node.putArray("offsets");
        for (PartitionOffsets partition : range.offsets()) {
            offsets.addObject()
                    .put("partition", partition.partition())
                    .put("from", partition.fromOffset())
                    .put("to", partition.toOffset())
                    .put("last_ingest", partition.lastIngest().toString());
        }
        ArrayNode holes = node.putArray("holes");
        for (IngestHole hole : range.holes()) {
            holes.addObject()
                    .put("layer", hole.layer())
                    .put("partition", hole.partition())
                    .put("from_offset", hole.fromOffset())
                    .put("to_offset", hole.toOffset())
                    .put("from_ingest", hole.fromIngest().toString())
                    .put("to_ingest", hole.toIngest().toString());
        }
        Path file = new Path(directory, range.id() + ".json");
        try (FSDataOutputStream out = fs.create(file, true)) {
            out.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(node));
        }
        catch (IOException e) {
            throw new MasterDatasetException("Cannot write manifest entry " + file + ": " + e.getMessage(), e);
        }
    }

    private static ArchivedRange read(FileSystem fs, Path file) {
        try (FSDataInputStream in = fs.open(file)) {
            JsonNode node = JSON.readTree(in);
            List<PartitionOffsets> offsets = new ArrayList<>();
            for (JsonNode partition : node.path("offsets")) {
                offsets.add(new PartitionOffsets(partition.path("partition").asInt(-1), partition.path("from").asLong(-1),
                        partition.path("to").asLong(-1), Instant.parse(text(partition, "last_ingest", file))));
            }
            List<IngestHole> holes = new ArrayList<>();
            for (JsonNode hole : node.path("holes")) {
                holes.add(new IngestHole(text(hole, "layer", file), hole.path("partition").asInt(-1),
                        hole.path("from_offset").asLong(-1), hole.path("to_offset").asLong(-1),
                        Instant.parse(text(hole, "from_ingest", file)), Instant.parse(text(hole, "to_ingest", file))));
            }
            return new ArchivedRange(
                    text(node, "id", file),
                    ArchivedRange.Source.valueOf(text(node, "source", file).toUpperCase(java.util.Locale.ROOT)),
                    Instant.parse(text(node, "from", file)),
                    Instant.parse(text(node, "to", file)),
                    node.path("records").asLong(-1),
                    Instant.parse(text(node, "written_at", file)),
                    text(node, "origin", file),
                    offsets,
                    holes,
                    node.path("ingest_eff").asBoolean(false),
                    node.path("rules_version").asInt(ArchivedRange.RAW_ONLY),
                    node.path("identity_fingerprints").asBoolean(false));
        }
        catch (IOException | RuntimeException e) {
            throw new MasterDatasetException("Unreadable manifest entry " + file + ": " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode node, String field, Path file) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new MasterDatasetException("Manifest entry " + file + " has no text field '" + field + "'");
        }
        return value.textValue();
    }
}
