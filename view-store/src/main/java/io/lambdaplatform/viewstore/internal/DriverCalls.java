package io.lambdaplatform.viewstore.internal;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.connection.BusyConnectionException;
import com.datastax.oss.driver.api.core.connection.ClosedConnectionException;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.Statement;
import com.datastax.oss.driver.api.core.servererrors.QueryExecutionException;
import io.lambdaplatform.viewstore.ViewStoreException;
import io.lambdaplatform.viewstore.ViewStoreUnavailableException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/** Runs driver calls and turns driver failures into the store's own exceptions. */
public final class DriverCalls {

    private DriverCalls() {}

    public static ResultSet execute(CqlSession session, Statement<?> statement, String what) {
        try {
            return session.execute(statement);
        }
        catch (RuntimeException e) {
            throw translate(what, e);
        }
    }

    /**
     * Runs the statement and maps every row, following pages. A read is idempotent, and says so: the driver then retries
     * it on the next node when the one it went to dies mid-request (the default is not to retry, so {@code kill -9} of
     * one replica failed the reads in flight to it although a quorum was up).
     */
    public static <T> List<T> query(CqlSession session, Statement<?> statement, String what, Function<Row, T> mapper) {
        List<T> result = new ArrayList<>();
        for (Row row : execute(session, statement.setIdempotent(true), what)) {
            result.add(mapper.apply(row));
        }
        return result;
    }

    /** Runs the statement asynchronously and maps every row, following pages; idempotent, as {@link #query}. */
    public static <T> CompletableFuture<List<T>> queryAsync(CqlSession session, Statement<?> statement, String what,
            Function<Row, T> mapper) {
        return session.executeAsync(statement.setIdempotent(true)).toCompletableFuture()
                .thenCompose(first -> collect(first, new ArrayList<>(), mapper))
                .exceptionally(e -> {
                    throw translate(what, unwrap(e));
                });
    }

    public static CompletionStage<Void> executeAsync(CqlSession session, Statement<?> statement, String what) {
        return session.executeAsync(statement).toCompletableFuture()
                .<Void>thenApply(ignored -> null)
                .exceptionally(e -> {
                    throw translate(what, unwrap(e));
                });
    }

    /** Waits for every future; the first failure (already translated) is rethrown. */
    public static <T> List<T> joinAll(List<CompletableFuture<List<T>>> futures) {
        List<T> all = new ArrayList<>();
        for (CompletableFuture<List<T>> future : futures) {
            try {
                all.addAll(future.join());
            }
            catch (CompletionException e) {
                throw e.getCause() instanceof ViewStoreException store ? store : new ViewStoreException("View query failed", e.getCause());
            }
        }
        return all;
    }

    public static ViewStoreException translate(String what, Throwable e) {
        if (e instanceof ViewStoreException store) {
            return store;
        }
        if (isUnavailable(e)) {
            return new ViewStoreUnavailableException("Cassandra unavailable: " + what + ": " + e.getMessage(), e);
        }
        return new ViewStoreException("Cassandra call failed: " + what + ": " + e.getMessage(), e);
    }

    public static boolean isUnavailable(Throwable e) {
        return e instanceof AllNodesFailedException
                || e instanceof DriverTimeoutException
                || e instanceof QueryExecutionException
                || e instanceof ClosedConnectionException
                || e instanceof BusyConnectionException
                || e instanceof ViewStoreUnavailableException;
    }

    public static Throwable unwrap(Throwable e) {
        Throwable current = e;
        while (current instanceof CompletionException && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }

    private static <T> CompletableFuture<List<T>> collect(AsyncResultSet page, List<T> into, Function<Row, T> mapper) {
        for (Row row : page.currentPage()) {
            into.add(mapper.apply(row));
        }
        if (page.hasMorePages()) {
            return page.fetchNextPage().toCompletableFuture().thenCompose(next -> collect(next, into, mapper));
        }
        return CompletableFuture.completedFuture(into);
    }
}
