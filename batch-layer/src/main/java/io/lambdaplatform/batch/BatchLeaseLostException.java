package io.lambdaplatform.batch;

/** The run's batch lease expired or was taken while it worked: it stops and publishes nothing. */
public final class BatchLeaseLostException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public BatchLeaseLostException(String message) {
        super(message);
    }
}
