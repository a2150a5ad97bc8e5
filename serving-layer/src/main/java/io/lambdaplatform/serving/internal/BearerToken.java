package io.lambdaplatform.serving.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import static java.util.Objects.requireNonNull;

/** The token that protects {@code /v1/*}. Compared in constant time; its value never appears in a string. */
public final class BearerToken {

    private static final String SCHEME = "Bearer ";

    private final byte[] expected;

    public BearerToken(String token) {
        this.expected = requireNonNull(token, "token is null").getBytes(StandardCharsets.UTF_8);
    }

    /** True when the {@code Authorization} header carries this token. */
    public boolean accepts(String authorizationHeader) {
        if (authorizationHeader == null || authorizationHeader.length() < SCHEME.length()
                || !authorizationHeader.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return false;
        }
        byte[] presented = authorizationHeader.substring(SCHEME.length()).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(expected, presented);
    }

    @Override
    public String toString() {
        return "BearerToken[****]";
    }
}
