package io.lambdaplatform.batch.internal;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.s3a.S3AFileSystem;
import org.apache.hadoop.fs.s3a.commit.magic.MagicS3GuardCommitter;
import org.apache.hadoop.fs.s3a.commit.magic.MagicS3GuardCommitterFactory;
import org.apache.hadoop.mapreduce.TaskAttemptContext;
import org.apache.hadoop.mapreduce.lib.output.PathOutputCommitter;

import java.io.FileNotFoundException;
import java.io.IOException;

/**
 * The S3A magic committer, except that a task that wrote no file is not committed at all.
 *
 * <p>A Spark task with no rows (an empty Kafka partition, an import split of only invalid lines) writes no
 * file. Hadoop's magic committer decides whether such a task needs a commit by probing its attempt
 * directory, whose marker object some S3-compatible stores (S3Proxy's file-system back end among them) do
 * not list; the task commit then fails listing a directory that is not there. Listing for the pending
 * uploads themselves answers the question on every store. Registered for the {@code s3a} scheme with
 * {@code spark.hadoop.mapreduce.outputcommitter.factory.scheme.s3a}.
 */
public final class EmptyTaskMagicCommitterFactory extends MagicS3GuardCommitterFactory {

    @Override
    public PathOutputCommitter createTaskCommitter(S3AFileSystem fileSystem, Path outputPath, TaskAttemptContext context)
            throws IOException {
        return new EmptyTaskMagicCommitter(outputPath, context);
    }

    static final class EmptyTaskMagicCommitter extends MagicS3GuardCommitter {

        EmptyTaskMagicCommitter(Path outputPath, TaskAttemptContext context) throws IOException {
            super(outputPath, context);
        }

        @Override
        public boolean needsTaskCommit(TaskAttemptContext context) throws IOException {
            Path attempt = getTaskAttemptPath(context);
            FileSystem fs = attempt.getFileSystem(context.getConfiguration());
            try {
                return fs.listFiles(attempt, true).hasNext();
            }
            catch (FileNotFoundException e) {
                return false;
            }
        }
    }
}
