package io.lambdaplatform.model;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * The one health vocabulary of every layer's {@code /health/live} and {@code /health/ready}: a JSON object with
 * {@code status} {@value #UP} or {@value #DOWN} and, for readiness, one field per dependency checked (its own state,
 * e.g. {@code "cassandra": "UP"}). Live answers {@code {"status":"UP"}} while the process answers at all.
 *
 * @param up     whether the layer is live, or ready to serve
 * @param checks the state of each dependency by name, in the order given
 */
public record HealthStatus(boolean up, Map<String, String> checks) {

    public static final String UP = "UP";
    public static final String DOWN = "DOWN";

    public HealthStatus {
        checks = Map.copyOf(requireNonNull(checks, "checks is null"));
    }

    /** The answer of {@code /health/live}. */
    public static HealthStatus live() {
        return new HealthStatus(true, Map.of());
    }

    /** {@code UP} or {@code DOWN}: the state word for a dependency that answers or not. */
    public static String state(boolean answers) {
        return answers ? UP : DOWN;
    }

    /** The JSON body: {@code status} first, then the checks sorted by name. */
    public Map<String, String> body() {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("status", state(up));
        new TreeMap<>(checks).forEach(body::put);
        return body;
    }
}
