package io.lambdaplatform.batch;

import io.lambdaplatform.viewstore.BatchViews;

import java.io.Serializable;

/**
 * Opens the batch views where the code runs: on the driver to begin and publish a version, and in each
 * executor JVM to write rows. Serializable, because Spark ships it to the executors inside the task
 * closure; the store itself (sessions, sockets) never travels.
 */
@FunctionalInterface
public interface BatchViewsFactory extends Serializable {

    /** The views of this JVM; implementations share one store per JVM, so calling this per task is cheap. */
    BatchViews open();
}
