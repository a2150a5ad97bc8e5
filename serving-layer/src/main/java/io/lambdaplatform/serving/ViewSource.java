package io.lambdaplatform.serving;

import io.lambdaplatform.viewstore.BatchViews;
import io.lambdaplatform.viewstore.SpeedViews;
import io.lambdaplatform.viewstore.ViewStoreUnavailableException;

import static java.util.Objects.requireNonNull;

/**
 * Where the serving layer gets its views from. The Cassandra source may have no session yet (the
 * cluster was down at start-up); then {@link #views()} fails fast and the request is answered 503.
 */
public interface ViewSource extends AutoCloseable {

    /** The two stores, the same pair for every request while connected. */
    record Views(BatchViews batch, SpeedViews speed) {
        public Views {
            requireNonNull(batch, "batch is null");
            requireNonNull(speed, "speed is null");
        }
    }

    /**
     * @throws ViewStoreUnavailableException while there is no connection to the store
     */
    Views views();

    @Override
    void close();

    /** A source over stores that are always there, e.g. the in-memory fakes of unit tests. */
    static ViewSource of(BatchViews batch, SpeedViews speed) {
        Views views = new Views(batch, speed);
        return new ViewSource() {
            @Override
            public Views views() {
                return views;
            }

            @Override
            public void close() {}
        };
    }
}
