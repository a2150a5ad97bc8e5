package io.lambdaplatform.model;

import static java.util.Objects.requireNonNull;

/** What {@link EventCodec#decode} makes of one record: a valid event or a rejection, never an exception. */
public sealed interface EventVerdict {

    record Valid(Event event) implements EventVerdict {
        public Valid {
            requireNonNull(event, "event is null");
        }
    }

    record Invalid(Rejection rejection) implements EventVerdict {
        public Invalid {
            requireNonNull(rejection, "rejection is null");
        }
    }

    static EventVerdict valid(Event event) {
        return new Valid(event);
    }

    static EventVerdict invalid(RejectionReason reason, String detail) {
        return new Invalid(new Rejection(reason, detail));
    }
}
