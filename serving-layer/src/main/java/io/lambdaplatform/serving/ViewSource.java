package io.lambdaplatform.serving;

import io.lambdaplatform.viewstore.BatchViews;
import io.lambdaplatform.viewstore.InMemoryViewSets;
import io.lambdaplatform.viewstore.SpeedViews;
import io.lambdaplatform.viewstore.ViewSet;
import io.lambdaplatform.viewstore.ViewSets;
import io.lambdaplatform.viewstore.ViewStoreUnavailableException;

import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * Where the serving layer gets its views from. The Cassandra source may have no session yet (the
 * cluster was down at start-up); then {@link #views()} fails fast and the request is answered 503.
 */
public interface ViewSource extends AutoCloseable {

    /**
     * The stores, the same for every request while connected.
     *
     * @param batch   the batch views
     * @param speed   the speed views of the platform's keyspace
     * @param sets    Kappa mode: the sets of stream-built views and the pointer readers follow
     * @param speedIn the speed views of a set
     */
    record Views(BatchViews batch, SpeedViews speed, ViewSets sets, Function<ViewSet, SpeedViews> speedIn) {
        public Views {
            requireNonNull(batch, "batch is null");
            requireNonNull(speed, "speed is null");
            requireNonNull(sets, "sets is null");
            requireNonNull(speedIn, "speedIn is null");
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
        return of(new Views(batch, speed, new InMemoryViewSets(), set -> speed));
    }

    /** A source over stores that are always there. */
    static ViewSource of(Views views) {
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
