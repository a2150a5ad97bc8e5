package io.lambdaplatform.viewstore;

import static java.util.Objects.requireNonNull;

/** Another batch run holds the lease: this run must not write the master dataset or the views. */
public final class BatchLeaseHeldException extends ViewStoreException {

    private static final long serialVersionUID = 1L;

    private final transient BatchLease held;

    public BatchLeaseHeldException(BatchLease held) {
        super("another batch run holds the lease: " + requireNonNull(held, "held is null").holder() + " since " + held.since());
        this.held = held;
    }

    /** The lease as its holder took it. */
    public BatchLease held() {
        return held;
    }
}
