package io.lambdaplatform.serving;

import static java.util.Objects.requireNonNull;

/** A request parameter is missing or wrong; answered with 400 and a body naming the parameter and the problem. */
public final class InvalidQueryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String parameter;
    private final String problem;

    public InvalidQueryException(String parameter, String problem) {
        super(requireNonNull(parameter, "parameter is null") + ": " + requireNonNull(problem, "problem is null"));
        this.parameter = parameter;
        this.problem = problem;
    }

    public String parameter() {
        return parameter;
    }

    public String problem() {
        return problem;
    }
}
