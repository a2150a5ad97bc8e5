package io.lambdaplatform.viewstore;

/**
 * Writes the rows of one unpublished version with a bounded number of writes in flight, retrying
 * failed ones. Not thread-safe: one writer per task. {@link #close()} waits for every write and fails if any row could not be written, so a
 * task that returns normally has written all its rows.
 */
public interface BatchViewWriter extends AutoCloseable {

    /** Queues a row; blocks while the bound on writes in flight is reached. */
    void write(ViewRow row);

    /** Rows handed to {@link #write} so far; once {@link #close()} returns, all of them are stored. */
    long rowCount();

    /** Waits for every queued row; throws {@link ViewStoreException} if any is lost. */
    @Override
    void close();
}
