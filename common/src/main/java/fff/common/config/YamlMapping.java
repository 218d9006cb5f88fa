package fff.common.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * One YAML mapping of a config file together with its key path ({@code ""}, {@code receive},
 * {@code destinations.siteB}), so that every value read from it can be blamed on its full key. A missing key
 * and a key without a value ({@code listen:}) both read as absent. Errors are {@link IllegalArgumentException}s
 * whose message starts with the key.
 */
final class YamlMapping {

    private final String path;
    private final JsonNode node;

    private YamlMapping(String path, JsonNode node) {
        this.path = path;
        this.node = node;
    }

    /** The document itself; an empty document is an empty mapping. */
    static YamlMapping root(JsonNode document) {
        if (isAbsent(document)) {
            return new YamlMapping("", null);
        }
        if (!document.isObject()) {
            throw new IllegalArgumentException("expected a mapping of sections (node, web, groups, destinations, "
                    + "receive, watch, jobs, profiles, ffmpeg), not " + describe(document));
        }
        return new YamlMapping("", document);
    }

    String key(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    /** Fails on the first key (in file order) that is not {@code known}, naming {@code notYet} ones as such. */
    void checkKeys(List<String> known, List<String> notYet) {
        if (node == null) {
            return;
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (notYet.contains(name)) {
                throw new IllegalArgumentException(key(name) + ": not supported yet by this version");
            }
            if (!known.contains(name)) {
                throw new IllegalArgumentException(
                        key(name) + ": unknown key (known: " + String.join(", ", known) + ")");
            }
        }
    }

    boolean has(String name) {
        return !isAbsent(get(name));
    }

    /** The names of this mapping's entries, in file order. */
    List<String> names() {
        List<String> out = new ArrayList<>();
        if (node != null) {
            node.fieldNames().forEachRemaining(out::add);
        }
        return out;
    }

    /** The mapping under {@code name}; empty when absent. */
    YamlMapping mapping(String name) {
        JsonNode value = get(name);
        if (isAbsent(value)) {
            return new YamlMapping(key(name), null);
        }
        if (!value.isObject()) {
            throw new IllegalArgumentException(key(name) + ": expected a mapping of keys, not " + describe(value));
        }
        return new YamlMapping(key(name), value);
    }

    /** The mappings of the list under {@code name}, each blamed as {@code key[i]}; empty when absent. */
    List<YamlMapping> mappings(String name) {
        JsonNode value = get(name);
        if (isAbsent(value)) {
            return List.of();
        }
        if (!value.isArray()) {
            throw new IllegalArgumentException(
                    key(name) + ": expected a list of entries (- key: value), not " + describe(value));
        }
        List<YamlMapping> out = new ArrayList<>(value.size());
        for (int i = 0; i < value.size(); i++) {
            JsonNode element = value.get(i);
            String elementKey = key(name) + "[" + i + "]";
            if (isAbsent(element)) {
                throw new IllegalArgumentException(elementKey + ": empty entry");
            }
            if (!element.isObject()) {
                throw new IllegalArgumentException(
                        elementKey + ": expected a mapping of keys, not " + describe(element));
            }
            out.add(new YamlMapping(elementKey, element));
        }
        return out;
    }

    /** A single value as text (numbers as written), or null when absent. */
    String text(String name) {
        JsonNode value = get(name);
        if (isAbsent(value)) {
            return null;
        }
        return scalar(key(name), value);
    }

    boolean bool(String name, boolean defaultValue) {
        JsonNode value = get(name);
        if (isAbsent(value)) {
            return defaultValue;
        }
        if (!value.isBoolean()) {
            throw new IllegalArgumentException(key(name) + ": " + describe(value) + " is not true or false");
        }
        return value.booleanValue();
    }

    int integer(String name, int defaultValue) {
        JsonNode value = get(name);
        if (isAbsent(value)) {
            return defaultValue;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            throw new IllegalArgumentException(key(name) + ": " + describe(value) + " is not a whole number");
        }
        return value.intValue();
    }

    /** A {@link Durations} text read as a duration, or null when absent. */
    Duration duration(String name) {
        String text = text(name);
        return text == null ? null : Durations.parse(key(name), text);
    }

    /** A list of single values as text, or null when absent. Elements are blamed as {@code key[i]}. */
    List<String> texts(String name) {
        JsonNode value = get(name);
        if (isAbsent(value)) {
            return null;
        }
        if (!value.isArray()) {
            throw new IllegalArgumentException(key(name) + ": expected a list like [a, b], not " + describe(value));
        }
        List<String> out = new ArrayList<>(value.size());
        for (int i = 0; i < value.size(); i++) {
            JsonNode element = value.get(i);
            String elementKey = key(name) + "[" + i + "]";
            if (isAbsent(element)) {
                throw new IllegalArgumentException(elementKey + ": empty entry");
            }
            out.add(scalar(elementKey, element));
        }
        return out;
    }

    /** Whether the value under {@code name} is a list (rather than a single value or absent). */
    boolean isList(String name) {
        JsonNode value = get(name);
        return value != null && value.isArray();
    }

    /** Whether the value under {@code name} is YAML's false (which {@code off} and {@code no} also are). */
    boolean isFalse(String name) {
        JsonNode value = get(name);
        return value != null && value.isBoolean() && !value.booleanValue();
    }

    /** A single value as a list of one, or a list of single values ({@link #texts}); null when absent. */
    List<String> textOrTexts(String name) {
        if (isList(name)) {
            return texts(name);
        }
        String one = text(name);
        return one == null ? null : List.of(one);
    }

    private JsonNode get(String name) {
        return node == null ? null : node.get(name);
    }

    private static String scalar(String key, JsonNode value) {
        if (value.isContainerNode()) {
            throw new IllegalArgumentException(key + ": expected a single value, not " + describe(value));
        }
        return value.asText();
    }

    private static boolean isAbsent(JsonNode value) {
        return value == null || value.isNull() || value.isMissingNode();
    }

    private static String describe(JsonNode value) {
        if (value.isObject()) {
            return "a mapping";
        }
        if (value.isArray()) {
            return "a list";
        }
        return "'" + value.asText() + "'";
    }

    @Override
    public String toString() {
        return path.isEmpty() ? "(top level)" : path;
    }
}
