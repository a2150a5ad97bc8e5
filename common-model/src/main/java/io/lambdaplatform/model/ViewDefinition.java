package io.lambdaplatform.model;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * What the views are, and the name of the logic that builds them. Both layers aggregate by the same description
 * ({@link Measure}, {@link SketchMeasure}, {@link Granularity}); this turns it into text and a short name, so that a
 * batch version and a set of stream-built views can say which logic built them.
 */
public final class ViewDefinition {

    private ViewDefinition() {}

    /**
     * What the views are, as text: each measure (column, merge, event field, scale), each sketch measure (column, kind,
     * event field, parameter) and each granularity. A batch version records it, and a run adds new records only to a
     * version aggregated the same way.
     */
    public static String text() {
        StringBuilder text = new StringBuilder("measures");
        for (Measure measure : Measure.values()) {
            text.append(' ').append(measure.column()).append('=').append(measure.merge().name().toLowerCase(Locale.ROOT));
            if (measure.merge() == Measure.Merge.SUM) {
                text.append('(').append(measure.eventField()).append(')');
            }
            text.append(":scale").append(measure.scale());
        }
        text.append("; sketches");
        for (SketchMeasure measure : SketchMeasure.values()) {
            text.append(' ').append(measure.column()).append('=').append(measure.kind().name().toLowerCase(Locale.ROOT))
                    .append('(').append(measure.eventField()).append("):")
                    .append(measure.kind() == SketchMeasure.Kind.HLL ? "lgk" : "k").append(measure.parameter());
        }
        text.append("; granularities");
        for (Granularity granularity : Granularity.values()) {
            text.append(' ').append(granularity.label());
        }
        return text.toString();
    }

    /**
     * The logic version of this release with these rules: {@link #logicVersion(int, String, RuleSettings)} of
     * {@link EventRules#VERSION} and {@link #text()}.
     */
    public static String logicVersion(RuleSettings rules) {
        return logicVersion(EventRules.VERSION, text(), rules);
    }

    /**
     * The logic that judged and aggregated a set of views, as a short name: {@code r<rules version>-<first 8 hex digits of
     * the definition's SHA-256>}, followed by {@code +<rule settings>} when an operator configured any
     * ({@link RuleSettings#describe()}). Views of the same logic version judged and aggregated every record the same way;
     * a change of any part gives another name.
     */
    public static String logicVersion(int rulesVersion, String definition, RuleSettings rules) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(definition.getBytes(StandardCharsets.UTF_8));
            String name = "r" + rulesVersion + "-" + HexFormat.of().formatHex(digest, 0, 4);
            return rules.isNone() ? name : name + "+" + rules.describe();
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every JVM has SHA-256", e);
        }
    }
}
