package io.lambdaplatform.model.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Trino's {@code assertRecordedDefaults} and {@code assertFullMapping} for the platform's config records, which are
 * read from a {@link Config} by a function such as {@code SpeedConfig::from}. Shared by every module through
 * common-model's test-jar, so each config record gets the same two tests:
 *
 * <ul>
 *   <li>{@link #assertRecordedDefaults}: the record read from the {@code reference.conf} files equals the expected one,
 *       component by component;</li>
 *   <li>{@link #assertFullMapping}: a configuration that sets every key of the record's sections to a value other than
 *       its default maps to the expected record, and every component of that record differs from its default. A key
 *       added to a section's {@code reference.conf}, or a component added to the record, fails the test until the
 *       test sets and checks it.</li>
 * </ul>
 */
public final class ConfigMappingAssertions {

    private ConfigMappingAssertions() {}

    /** Every {@code reference.conf} on the test's classpath, resolved: what a deployable starts from. */
    public static Config referenceDefaults() {
        return ConfigFactory.defaultReferenceUnresolved().resolve();
    }

    /** {@code settings} (keys with {@code .}, values as in {@link ConfigFactory#parseMap}) over the reference defaults. */
    public static Config withDefaults(Map<String, ?> settings) {
        return ConfigFactory.parseMap(settings, "test settings").withFallback(referenceDefaults()).resolve();
    }

    /**
     * @param reader             reads the record from a loaded configuration
     * @param expected           the record the defaults must give
     * @param ignoredComponents  components that cannot be known in advance (e.g. a directory named after the process);
     *                           the caller asserts them on its own
     */
    public static <T extends Record> void assertRecordedDefaults(Function<Config, T> reader, T expected, String... ignoredComponents) {
        Map<String, Object> actual = components(reader.apply(referenceDefaults()));
        Map<String, Object> wanted = components(expected);
        for (String ignored : ignoredComponents) {
            assertThat(actual).as("components of %s", expected.getClass().getSimpleName()).containsKey(ignored);
            actual.remove(ignored);
            wanted.remove(ignored);
        }
        assertThat(actual).as("defaults of %s, by component", expected.getClass().getSimpleName()).isEqualTo(wanted);
    }

    /**
     * @param reader     reads the record from a loaded configuration
     * @param sections   the configuration paths the record is read from, e.g. {@code lambda.speed}: every key the
     *                   {@code reference.conf} files have below them must be in {@code properties}
     * @param properties every key of those sections, each with a value other than its default (a key below an empty
     *                   pass-through object such as {@code lambda.speed.streams} sets that object)
     * @param expected   the record {@code properties} must give
     */
    public static <T extends Record> void assertFullMapping(Function<Config, T> reader, List<String> sections, Map<String, ?> properties, T expected) {
        Config reference = referenceDefaults();
        Set<String> keys = new TreeSet<>();
        for (String section : sections) {
            assertThat(reference.hasPath(section)).as("reference.conf has section %s", section).isTrue();
            leafKeys(reference.getObject(section), ConfigUtil.splitPath(section), keys);
        }
        Set<String> unset = new TreeSet<>();
        for (String key : keys) {
            if (properties.keySet().stream().noneMatch(set -> set.equals(key) || set.startsWith(key + "."))) {
                unset.add(key);
            }
        }
        assertThat(unset).as("keys of %s the full mapping does not set", sections).isEmpty();
        for (Map.Entry<String, ?> property : properties.entrySet()) {
            if (reference.hasPath(property.getKey())) {
                assertThat(ConfigFactory.parseMap(Map.of(property.getKey(), property.getValue())).getValue(property.getKey()).unwrapped())
                        .as("value of %s, which must differ from its default", property.getKey())
                        .isNotEqualTo(reference.getValue(property.getKey()).unwrapped());
            }
        }

        T mapped = reader.apply(withDefaults(properties));
        assertThat(components(mapped)).as("%s mapped from every key, by component", expected.getClass().getSimpleName())
                .isEqualTo(components(expected));
        Map<String, Object> defaults = components(reader.apply(reference));
        List<String> unmapped = new ArrayList<>();
        components(mapped).forEach((name, value) -> {
            if (value == null ? defaults.get(name) == null : value.equals(defaults.get(name))) {
                unmapped.add(name);
            }
        });
        assertThat(unmapped).as("components of %s that no key of the full mapping changed", expected.getClass().getSimpleName()).isEmpty();
    }

    /** The record's components by name, in declaration order. */
    static Map<String, Object> components(Record record) {
        Map<String, Object> components = new LinkedHashMap<>();
        for (RecordComponent component : record.getClass().getRecordComponents()) {
            try {
                component.getAccessor().setAccessible(true);
                components.put(component.getName(), component.getAccessor().invoke(record));
            }
            catch (IllegalAccessException | InvocationTargetException e) {
                throw new AssertionError("Cannot read " + component.getName() + " of " + record.getClass().getName(), e);
            }
        }
        return components;
    }

    /** Every leaf below {@code object}: values, nulls and empty objects (pass-through sections). */
    private static void leafKeys(ConfigObject object, List<String> path, Set<String> into) {
        for (Map.Entry<String, ConfigValue> entry : object.entrySet()) {
            List<String> elements = new ArrayList<>(path);
            elements.add(entry.getKey());
            ConfigValue value = entry.getValue();
            if (value.valueType() == ConfigValueType.OBJECT && !((ConfigObject) value).isEmpty()) {
                leafKeys((ConfigObject) value, elements, into);
            }
            else {
                into.add(ConfigUtil.joinPath(elements));
            }
        }
    }
}
