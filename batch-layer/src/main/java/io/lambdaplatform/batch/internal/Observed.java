package io.lambdaplatform.batch.internal;

import org.apache.spark.sql.Observation;

import java.util.Map;

/** The metrics of a Spark {@link Observation} once its action has run. */
public final class Observed {

    private Observed() {}

    public static Map<String, Object> metrics(Observation observation) {
        try {
            return observation.getAsJava();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the metrics of " + observation.name(), e);
        }
    }

    public static long count(Map<String, Object> metrics, String name) {
        Object value = metrics.get(name);
        if (!(value instanceof Number number)) {
            throw new IllegalStateException("Observed metric " + name + " is missing: " + metrics.keySet());
        }
        return number.longValue();
    }
}
