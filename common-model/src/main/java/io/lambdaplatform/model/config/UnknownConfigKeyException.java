package io.lambdaplatform.model.config;

import java.util.List;

import static java.util.Objects.requireNonNull;

/** A configuration names keys under {@code lambda.} that no deployable knows: most often a typo. */
public final class UnknownConfigKeyException extends IllegalArgumentException {

    private final List<String> keys;

    public UnknownConfigKeyException(List<String> keys, String message) {
        super(requireNonNull(message, "message is null"));
        this.keys = List.copyOf(requireNonNull(keys, "keys is null"));
    }

    /** The unknown keys, as configuration paths. */
    public List<String> keys() {
        return keys;
    }
}
