package io.lambdaplatform.model;

import com.typesafe.config.Config;

import java.time.Duration;
import java.util.Optional;

/**
 * Rules an operator adds to the event contract's by configuration ({@code lambda.rules}): a valid event that breaks one
 * is rejected ({@link RejectionReason#RULE}) with the rule named. They are part of the logic that builds a set of views
 * ({@link ViewDefinition#logicVersion(RuleSettings)}), so changing one is a logic change: in Kappa mode it is applied
 * by replaying the log into new views ({@code ./lambda replay}).
 *
 * @param maxDuration events with a longer {@code duration_ms} are rejected; empty: only the contract's limit applies
 */
public record RuleSettings(Optional<Duration> maxDuration) {

    public static final String SECTION = "lambda.rules";
    /** No rule besides the contract's. */
    public static final RuleSettings NONE = new RuleSettings(Optional.empty());

    private static final String MAX_DURATION = "max-duration";

    public RuleSettings {
        if (maxDuration.isPresent() && (maxDuration.get().isNegative() || maxDuration.get().toMillis() > EventRules.MAX_DURATION_MS)) {
            throw new IllegalArgumentException(SECTION + "." + MAX_DURATION + " must be from 0 to " + EventRules.MAX_DURATION_MS + " ms: "
                    + maxDuration.get());
        }
    }

    /** The settings under {@value #SECTION} of a loaded platform configuration. */
    public static RuleSettings from(Config config) {
        String path = SECTION + "." + MAX_DURATION;
        return new RuleSettings(config.hasPath(path) ? Optional.of(config.getDuration(path)) : Optional.empty());
    }

    /** The settings as {@link #describe()} wrote them ("" for {@link #NONE}). */
    public static RuleSettings parse(String text) {
        if (text.isEmpty()) {
            return NONE;
        }
        String prefix = MAX_DURATION + "=";
        if (!text.startsWith(prefix) || !text.endsWith("ms")) {
            throw new IllegalArgumentException("Not rule settings: '" + text + "'");
        }
        return new RuleSettings(Optional.of(Duration.ofMillis(Long.parseLong(text.substring(prefix.length(), text.length() - 2)))));
    }

    public boolean isNone() {
        return maxDuration.isEmpty();
    }

    /** The settings as text, e.g. {@code max-duration=7200000ms}; empty for {@link #NONE}. */
    public String describe() {
        return maxDuration.map(max -> MAX_DURATION + "=" + max.toMillis() + "ms").orElse("");
    }

    /** Why the event breaks a configured rule, if it does. */
    public Optional<Rejection> check(Event event) {
        if (maxDuration.isPresent() && event.durationMs() > maxDuration.get().toMillis()) {
            return Optional.of(new Rejection(RejectionReason.RULE, "duration_ms: longer than " + SECTION + "." + MAX_DURATION + " ("
                    + maxDuration.get().toMillis() + " ms): " + event.durationMs()));
        }
        return Optional.empty();
    }
}
