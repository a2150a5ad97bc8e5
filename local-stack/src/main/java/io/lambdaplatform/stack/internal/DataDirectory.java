package io.lambdaplatform.stack.internal;

import io.lambdaplatform.stack.StackEndpoints;
import io.lambdaplatform.stack.StackStartException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * A stack's data directory, locked by one launcher at a time through {@code stack.lock} (the operating system
 * releases the lock when the launcher dies, however it dies).
 *
 * <pre>
 * endpoints.json   written when every server is ready, removed when the stack stops
 * stack.lock       held while a launcher runs on this directory
 * conf/            generated server configuration, rewritten on every start
 * logs/            one log file per server
 * kafka/           Kafka's log.dirs (KRaft metadata and topic data)
 * cassandra/       data, commitlog, saved_caches, hints, cdc_raw
 * s3/              the S3Proxy filesystem store, one directory per bucket
 * kafka-N/, cassandra-N/   the same for node N of a cluster stack
 * spark/           a cluster stack's generated Spark home and the workers' directories
 * </pre>
 */
public final class DataDirectory implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DataDirectory.class);

    private static final String LOCK_FILE = "stack.lock";
    // What a directory may contain for --fresh to wipe it: only what a stack puts there.
    private static final Set<String> STACK_ENTRIES = Set.of(LOCK_FILE, StackEndpoints.FILE_NAME, StackEndpoints.FILE_NAME + ".tmp",
            "conf", "logs", "kafka", "cassandra", "s3", "spark", ClusterSecurity.DIRECTORY);
    private static final Pattern CLUSTER_NODE_ENTRY = Pattern.compile("(kafka|cassandra)-[0-9]+");

    private final Path path;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private DataDirectory(Path path, FileChannel lockChannel, FileLock lock) {
        this.path = requireNonNull(path, "path is null");
        this.lockChannel = requireNonNull(lockChannel, "lockChannel is null");
        this.lock = requireNonNull(lock, "lock is null");
    }

    public static DataDirectory lock(Path path) {
        Path directory = path.toAbsolutePath().normalize();
        FileChannel channel = null;
        try {
            Files.createDirectories(directory);
            channel = FileChannel.open(directory.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = tryLock(channel);
            if (lock == null) {
                channel.close();
                throw new StackStartException("Another local stack is running on " + directory + " (" + directory.resolve(LOCK_FILE) + " is locked)");
            }
            return new DataDirectory(directory, channel, lock);
        }
        catch (IOException e) {
            closeQuietly(channel);
            throw new UncheckedIOException("Cannot lock the data directory " + directory, e);
        }
    }

    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        }
        catch (OverlappingFileLockException e) {
            // held by another stack in this same JVM
            return null;
        }
    }

    public Path path() {
        return path;
    }

    public Path endpointsFile() {
        return path.resolve(StackEndpoints.FILE_NAME);
    }

    /** Deletes everything but the lock; refuses when the directory holds anything a stack did not put there. */
    public void wipe() {
        try (Stream<Path> entries = Files.list(path)) {
            List<Path> all = entries.toList();
            List<Path> foreign = all.stream().filter(entry -> !isStackEntry(entry.getFileName().toString())).toList();
            if (!foreign.isEmpty()) {
                throw new StackStartException("Refusing to wipe " + path + ": it holds files a local stack did not create: " + foreign);
            }
            for (Path entry : all) {
                if (!entry.getFileName().toString().equals(LOCK_FILE)) {
                    deleteRecursively(entry);
                }
            }
            log.info("Wiped the data directory {}", path);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot wipe the data directory " + path, e);
        }
    }

    private static boolean isStackEntry(String name) {
        return STACK_ENTRIES.contains(name) || CLUSTER_NODE_ENTRY.matcher(name).matches();
    }

    /** Creates the log directory and removes the endpoints of an earlier run, which no longer hold. */
    public void prepare() {
        try {
            Files.createDirectories(path.resolve("logs"));
            Files.deleteIfExists(endpointsFile());
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare the data directory " + path, e);
        }
    }

    /** Removes {@code endpoints.json}, as the servers are gone, and releases the lock. */
    @Override
    public void close() {
        try {
            Files.deleteIfExists(endpointsFile());
        }
        catch (IOException e) {
            log.warn("Cannot delete {}: {}", endpointsFile(), e.toString());
        }
        try {
            lock.release();
        }
        catch (IOException e) {
            log.warn("Cannot release the lock on {}: {}", path, e.toString());
        }
        closeQuietly(lockChannel);
    }

    private static void deleteRecursively(Path root) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path directory, IOException failure) throws IOException {
                if (failure != null) {
                    throw failure;
                }
                Files.delete(directory);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        }
        catch (IOException e) {
            log.warn("Cannot close {}: {}", channel, e.toString());
        }
    }
}
