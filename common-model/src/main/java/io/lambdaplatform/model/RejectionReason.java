package io.lambdaplatform.model;

/**
 * Why a record is not a valid event. The {@link #code()} is what goes into the dead-letter header
 * and the metric tag, so both layers count rejections under the same names.
 */
public enum RejectionReason {
    /** The record has no value, or an empty one. */
    EMPTY("empty"),
    /** The value is over {@link EventRules#MAX_PAYLOAD_BYTES}. */
    TOO_LARGE("too-large"),
    /** The value is not UTF-8. */
    NOT_UTF8("not-utf8"),
    /** The value is not a JSON object. */
    MALFORMED_JSON("malformed-json"),
    /** A required field is absent or null. */
    MISSING_FIELD("missing-field"),
    /** A field has the wrong JSON type, e.g. a number where a string belongs. */
    WRONG_TYPE("wrong-type"),
    /** A field has the right type but a value out of range or of the wrong form. */
    INVALID_VALUE("invalid-value"),
    /** The record key is not the event's product id, so the record sits on the wrong partition. */
    KEY_MISMATCH("key-mismatch"),
    /** The event is valid by the contract but breaks a rule the operator configured ({@link RuleSettings}). */
    RULE("rule");

    private final String code;

    RejectionReason(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }

    public static RejectionReason fromCode(String code) {
        for (RejectionReason reason : values()) {
            if (reason.code.equals(code)) {
                return reason;
            }
        }
        throw new IllegalArgumentException("Unknown rejection reason code: " + code);
    }
}
