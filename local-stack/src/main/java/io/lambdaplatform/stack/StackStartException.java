package io.lambdaplatform.stack;

/** A server of the local stack did not come up; the message names it and points at its log. */
public class StackStartException extends RuntimeException {
    public StackStartException(String message) {
        super(message);
    }

    public StackStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
