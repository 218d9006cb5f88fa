package fff.common.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the {@code watch:} list into {@link WatchRule}s, one mapping per rule. Errors name the full key, e.g.
 * {@code watch[2].stable-for}; relative paths are resolved against the config file's directory. Checks across
 * rules, groups, destinations and profiles are left to {@link NodeConfig}.
 */
final class WatchReader {

    private static final List<String> RULE = List.of("name", "path", "include", "exclude", "recursive",
            "stable-for", "rescan", "include-hidden", "group", "to", "after", "mirror", "priority", "profile", "via",
            "out");

    private final Path base;

    WatchReader(Path base) {
        this.base = base;
    }

    List<WatchRule> read(List<YamlMapping> rules) {
        List<WatchRule> out = new ArrayList<>(rules.size());
        for (YamlMapping rule : rules) {
            out.add(rule(rule));
        }
        return out;
    }

    private WatchRule rule(YamlMapping m) {
        m.checkKeys(RULE, List.of());
        String pathText = m.text("path");
        if (pathText == null) {
            throw new IllegalArgumentException(m.key("path") + ": required (the folder to watch)");
        }
        Path path = ConfigReader.resolve(base, m.key("path"), pathText);
        if (Files.exists(path) && !Files.isDirectory(path)) {
            throw new IllegalArgumentException(m.key("path") + ": '" + pathText + "' is a file, not a folder");
        }
        String to = m.text("to");
        String via = m.text("via");
        if (to == null && via == null) {
            throw new IllegalArgumentException(m.key("to") + ": required (DEST:subpath, DEST a name in "
                    + "destinations), or via: DEST with out: DIR to have DEST convert the files and return them");
        }
        String name = m.text("name");
        List<String> include = m.texts("include");
        List<String> exclude = m.texts("exclude");
        boolean recursive = m.bool("recursive", true);
        Duration stableFor = m.duration("stable-for");
        Duration rescan = m.duration("rescan");
        boolean includeHidden = m.bool("include-hidden", false);
        String group = m.text("group");
        Route route = to == null ? null : Route.parse(m.key("to"), to);
        Path out = out(m);
        After after = after(m);
        Set<WatchRule.Mirror> mirror = mirror(m);
        int priority = m.integer("priority", 0);
        String profile = m.text("profile");
        try {
            return new WatchRule(name == null ? pathText : name, path, include, exclude, recursive, stableFor,
                    rescan, includeHidden, group, route, after, mirror, priority, profile, via, out);
        } catch (IllegalArgumentException e) {
            // The rule's own checks name the key inside the rule; m.key gives it its watch[i] prefix.
            throw new IllegalArgumentException(m.key(e.getMessage()), e);
        }
    }

    private Path out(YamlMapping m) {
        String text = m.text("out");
        if (text == null) {
            return null;
        }
        Path out = ConfigReader.resolve(base, m.key("out"), text);
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new IllegalArgumentException(m.key("out") + ": '" + text + "' is a file, not a folder");
        }
        return out;
    }

    private After after(YamlMapping m) {
        String text = m.text("after");
        if (text == null) {
            return null;
        }
        String s = text.strip();
        if (s.equals("keep")) {
            return After.KEEP;
        }
        if (s.equals("delete")) {
            return After.DELETE;
        }
        if (s.startsWith("move:")) {
            String dir = s.substring("move:".length()).strip();
            if (dir.isEmpty()) {
                throw new IllegalArgumentException(m.key("after") + ": '" + text + "' needs a folder (move:DIR)");
            }
            return After.move(ConfigReader.resolve(base, m.key("after"), dir));
        }
        throw new IllegalArgumentException(m.key("after") + ": '" + text + "' is not keep, delete or move:DIR");
    }

    private static Set<WatchRule.Mirror> mirror(YamlMapping m) {
        List<String> texts = m.texts("mirror");
        if (texts == null) {
            return null;
        }
        Set<WatchRule.Mirror> out = EnumSet.noneOf(WatchRule.Mirror.class);
        for (int i = 0; i < texts.size(); i++) {
            String word = texts.get(i).strip();
            WatchRule.Mirror found = null;
            for (WatchRule.Mirror mirror : WatchRule.Mirror.values()) {
                if (mirror.key().equals(word)) {
                    found = mirror;
                }
            }
            if (found == null) {
                throw new IllegalArgumentException(
                        m.key("mirror") + "[" + i + "]: '" + texts.get(i) + "' is not one of renames, deletes");
            }
            out.add(found);
        }
        return out;
    }
}
