package io.lambdaplatform.batch.internal;

import io.lambdaplatform.batch.MasterDatasetException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks Parquet files for the columns a reader needs before Spark reads them: Spark fills a column a file
 * lacks with nulls, which would turn a broken file into silently wrong numbers. Extra columns and any
 * column order are fine.
 */
public final class ParquetColumns {

    private ParquetColumns() {}

    /** The Parquet data files below these paths (files or directories), skipping {@code _} and {@code .} files. */
    public static List<Path> dataFiles(Configuration conf, List<String> paths) {
        List<Path> files = new ArrayList<>();
        for (String location : paths) {
            Path path = new Path(location);
            try {
                FileSystem fs = path.getFileSystem(conf);
                RemoteIterator<LocatedFileStatus> listing = fs.listFiles(path, true);
                while (listing.hasNext()) {
                    LocatedFileStatus status = listing.next();
                    if (isDataFile(fs.makeQualified(path), status.getPath())) {
                        files.add(status.getPath());
                    }
                }
            }
            catch (IOException e) {
                throw new MasterDatasetException("Cannot list " + path + ": " + e.getMessage(), e);
            }
        }
        return files;
    }

    /** @throws MasterDatasetException naming the first file that lacks a required column, and the columns it has */
    public static List<Path> requireColumns(Configuration conf, List<String> paths, List<String> required) {
        List<Path> files = dataFiles(conf, paths);
        for (Path file : files) {
            MessageType schema = schema(conf, file);
            List<String> missing = required.stream().filter(column -> !schema.containsField(column)).toList();
            if (!missing.isEmpty()) {
                List<String> present = schema.getFields().stream().map(Type::getName).toList();
                throw new MasterDatasetException("Parquet file " + file + " lacks required column(s) " + missing
                        + "; it has " + present);
            }
        }
        return files;
    }

    private static MessageType schema(Configuration conf, Path file) {
        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(file, conf))) {
            return reader.getFooter().getFileMetaData().getSchema();
        }
        catch (IOException | RuntimeException e) {
            throw new MasterDatasetException("Cannot read the Parquet footer of " + file + ": " + e.getMessage(), e);
        }
    }

    /** Hidden files and directories (Spark's and S3A's {@code _SUCCESS}, {@code __magic}, {@code .crc}) below {@code base}. */
    private static boolean isDataFile(Path base, Path path) {
        String name = path.getName();
        if (name.startsWith("_") || name.startsWith(".")) {
            return false;
        }
        for (Path parent = path.getParent(); parent != null && !parent.equals(base); parent = parent.getParent()) {
            if (parent.getName().startsWith("_") || parent.getName().startsWith(".")) {
                return false;
            }
        }
        return true;
    }
}
