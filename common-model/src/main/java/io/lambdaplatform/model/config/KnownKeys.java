package io.lambdaplatform.model.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static java.util.Objects.requireNonNull;

/**
 * The keys under {@value #ROOT} that the platform knows, as airlift does it: a key nobody reads stops
 * start-up, naming the key, where it was set and the nearest known key. What is known comes from the
 * {@code reference.conf} files on the classpath: the shared sections of {@code common-model} and the
 * running deployable's own section. A key below an empty object of a reference ({@code lambda.speed.streams
 * {}}) is a pass-through and always allowed. The sections of the other deployables ({@link #SECTIONS})
 * are not on this classpath, so their keys are left for those deployables to check: one file can
 * configure the whole platform.
 */
public final class KnownKeys {

    public static final String ROOT = "lambda";
    /** Every section below {@value #ROOT}: shared ones and one per deployable. */
    public static final Set<String> SECTIONS = Set.of("kafka", "cassandra", "s3", "platform", "rules", "ingest", "speed", "batch", "serving");

    private final Config reference;

    private KnownKeys(Config reference) {
        this.reference = requireNonNull(reference, "reference is null");
    }

    /** The keys known to a JVM with these {@code reference.conf} defaults. */
    public static KnownKeys of(Config reference) {
        return new KnownKeys(reference);
    }

    /**
     * @throws UnknownConfigKeyException naming every unknown key of {@code config}, where it was set and
     *                                   the nearest known key
     */
    public void requireKnown(Config config) {
        if (!config.hasPathOrNull(ROOT) || config.getIsNull(ROOT)) {
            return;
        }
        List<String> unknown = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        check(config.getObject(ROOT), List.of(ROOT), unknown, problems);
        if (!unknown.isEmpty()) {
            String listed = String.join("; ", problems);
            throw new UnknownConfigKeyException(unknown, "Unknown configuration key" + (unknown.size() > 1 ? "s " : " ")
                    + listed + (listed.endsWith("?") ? " " : ". ") + "Every key is documented in docs/configuration.md.");
        }
    }

    /** Checks every leaf below {@code object} (null values and empty objects included). */
    private void check(ConfigObject object, List<String> path, List<String> unknown, List<String> problems) {
        for (Map.Entry<String, ConfigValue> entry : object.entrySet()) {
            List<String> elements = append(path, entry.getKey());
            String key = ConfigUtil.joinPath(elements);
            ConfigValue value = entry.getValue();
            if (value.valueType() == ConfigValueType.OBJECT && !((ConfigObject) value).isEmpty()) {
                check((ConfigObject) value, elements, unknown, problems);
            }
            else if (!isKnown(key)) {
                unknown.add(key);
                String nearest = nearest(key);
                problems.add(key + " (set in " + value.origin().description() + ")" + (nearest == null ? "" : ": did you mean " + nearest + "?"));
            }
        }
    }

    boolean isKnown(String key) {
        List<String> path = ConfigUtil.splitPath(key);
        if (path.size() < 2 || !SECTIONS.contains(path.get(1))) {
            return false;
        }
        String section = ConfigUtil.joinPath(ROOT, path.get(1));
        if (!reference.hasPathOrNull(section)) {
            return true;
        }
        for (int length = 2; length <= path.size(); length++) {
            String prefix = ConfigUtil.joinPath(path.subList(0, length));
            if (!reference.hasPathOrNull(prefix)) {
                return false;
            }
            if (length == path.size()) {
                return true;
            }
            ConfigValue value = reference.getIsNull(prefix) ? null : reference.getValue(prefix);
            if (value == null || value.valueType() != ConfigValueType.OBJECT) {
                return false;
            }
            if (((ConfigObject) value).isEmpty()) {
                return true;
            }
        }
        return true;
    }

    /** The known key closest to {@code key} by edit distance, if any is close enough to be a likely typo. */
    String nearest(String key) {
        TreeSet<String> known = new TreeSet<>();
        if (reference.hasPathOrNull(ROOT)) {
            collectPaths(reference.getObject(ROOT), List.of(ROOT), known);
        }
        return known.stream()
                .filter(candidate -> !candidate.equals(key))
                .min(Comparator.comparingInt((String candidate) -> distance(candidate, key)).thenComparing(Comparator.naturalOrder()))
                .filter(candidate -> distance(candidate, key) <= Math.max(2, key.length() / 4))
                .orElse(null);
    }

    private static void collectPaths(ConfigObject object, List<String> path, Set<String> into) {
        for (Map.Entry<String, ConfigValue> entry : object.entrySet()) {
            List<String> elements = append(path, entry.getKey());
            into.add(ConfigUtil.joinPath(elements));
            if (entry.getValue().valueType() == ConfigValueType.OBJECT) {
                collectPaths((ConfigObject) entry.getValue(), elements, into);
            }
        }
    }

    private static List<String> append(List<String> path, String element) {
        List<String> elements = new ArrayList<>(path);
        elements.add(element);
        return elements;
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
