package io.lambdaplatform.model;

import static java.util.Objects.requireNonNull;

/** A value breaks the event contract; carries the {@link Rejection} that both layers record. */
public final class InvalidEventException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final transient Rejection rejection;

    public InvalidEventException(Rejection rejection) {
        super(requireNonNull(rejection, "rejection is null").toString());
        this.rejection = rejection;
    }

    public InvalidEventException(RejectionReason reason, String detail) {
        this(new Rejection(reason, detail));
    }

    public Rejection rejection() {
        return rejection;
    }
}
