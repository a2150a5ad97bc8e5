package io.lambdaplatform.batch.internal;

import io.lambdaplatform.batch.MasterDatasetException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Checks Parquet files for the columns a reader needs before Spark reads them: Spark fills a column a file
 * lacks with nulls, which would turn a broken file into silently wrong numbers. Extra columns and any
 * column order are fine.
 */
public final class ParquetColumns {

    /** Footers read at once. */
    private static final int FOOTER_READS = 16;

    private ParquetColumns() {}

    /** The Parquet data files below these paths (files or directories), skipping {@code _} and {@code .} files. */
    public static List<Path> dataFiles(Configuration conf, List<String> paths) {
        return dataFileStatuses(conf, paths).stream().map(FileStatus::getPath).toList();
    }

    /**
     * @return the data files below {@code paths} ({@link #dataFiles})
     * @throws MasterDatasetException naming the first file that lacks a required column, and the columns it has
     */
    public static List<Path> requireColumns(Configuration conf, List<String> paths, List<String> required) {
        List<FileStatus> files = dataFileStatuses(conf, paths);
        for (FileFooter footer : footers(conf, files)) {
            List<String> missing = required.stream().filter(column -> !footer.schema().containsField(column)).toList();
            if (!missing.isEmpty()) {
                List<String> present = footer.schema().getFields().stream().map(Type::getName).toList();
                throw new MasterDatasetException("Parquet file " + footer.file() + " lacks required column(s) " + missing
                        + "; it has " + present);
            }
        }
        return files.stream().map(FileStatus::getPath).toList();
    }

    private record FileFooter(Path file, MessageType schema) {}

    /**
     * The schemas of the files, in their order, read {@value #FOOTER_READS} at a time: on an object store each is a request
     * or two that waits for the network, and a master dataset has a few files per range.
     */
    private static List<FileFooter> footers(Configuration conf, List<FileStatus> files) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(FOOTER_READS, files.size())));
        try {
            List<CompletableFuture<FileFooter>> reads = files.stream()
                    .map(file -> CompletableFuture.supplyAsync(() -> new FileFooter(file.getPath(), schema(conf, file)), pool))
                    .toList();
            List<FileFooter> footers = new ArrayList<>(files.size());
            for (CompletableFuture<FileFooter> read : reads) {
                try {
                    footers.add(read.join());
                }
                catch (CompletionException e) {
                    throw e.getCause() instanceof MasterDatasetException failed ? failed : e;
                }
            }
            return footers;
        }
        finally {
            pool.shutdownNow();
        }
    }

    private static List<FileStatus> dataFileStatuses(Configuration conf, List<String> paths) {
        List<FileStatus> files = new ArrayList<>();
        for (String location : paths) {
            Path path = new Path(location);
            try {
                FileSystem fs = path.getFileSystem(conf);
                RemoteIterator<LocatedFileStatus> listing = fs.listFiles(path, true);
                while (listing.hasNext()) {
                    LocatedFileStatus status = listing.next();
                    if (isDataFile(fs.makeQualified(path), status.getPath())) {
                        files.add(status);
                    }
                }
            }
            catch (IOException e) {
                throw new MasterDatasetException("Cannot list " + path + ": " + e.getMessage(), e);
            }
        }
        return files;
    }

    /** From the listing's status, so that opening the file asks the store for nothing more than the footer. */
    private static MessageType schema(Configuration conf, FileStatus file) {
        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromStatus(file, conf))) {
            return reader.getFooter().getFileMetaData().getSchema();
        }
        catch (IOException | RuntimeException e) {
            throw new MasterDatasetException("Cannot read the Parquet footer of " + file.getPath() + ": " + e.getMessage(), e);
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
