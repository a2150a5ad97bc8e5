package io.lambdaplatform.batch;

import io.lambdaplatform.viewstore.BatchViews;
import io.lambdaplatform.viewstore.InMemoryBatchViews;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link BatchViewsFactory} for local-mode tests: executors run in the test's JVM, so a JVM-wide map of
 * in-memory stores, looked up by name, is what both the driver and the tasks see.
 */
record SharedBatchViews(String name) implements BatchViewsFactory {

    private static final Map<String, BatchViews> STORES = new ConcurrentHashMap<>();

    static SharedBatchViews fresh(String name) {
        STORES.put(name, new InMemoryBatchViews());
        return new SharedBatchViews(name);
    }

    static SharedBatchViews wrapping(String name, BatchViews views) {
        STORES.put(name, views);
        return new SharedBatchViews(name);
    }

    @Override
    public BatchViews open() {
        BatchViews views = STORES.get(name);
        if (views == null) {
            throw new IllegalStateException("No test store named " + name);
        }
        return views;
    }
}
