package fff.common.config;

import fff.common.schedule.GroupSpec;
import fff.common.schedule.GroupTree;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads the {@code groups:} section, a nested mapping of any depth, into a {@link GroupTree}:
 *
 * <pre>
 * groups:
 *   total:                        # a root group
 *     limit: 6                    # required, at least 1
 *     children:                   # optional
 *       outbound: {limit: 4, children: {NAS: {limit: 3}}}
 * </pre>
 *
 * Names are unique in the whole tree and made of letters, digits, {@code . _ -}. Errors name the full key,
 * e.g. {@code groups.total.children.outbound.limit}.
 */
final class GroupsReader {

    private static final List<String> GROUP = List.of("limit", "children");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");

    private final List<GroupSpec> specs = new ArrayList<>();
    private final Map<String, String> keys = new HashMap<>(); // group name -> its key, for duplicates

    private GroupsReader() {}

    /** The tree under {@code groups}, or null when the section is absent or empty (the default tree then). */
    static GroupTree read(YamlMapping groups) {
        if (groups.names().isEmpty()) {
            return null;
        }
        GroupsReader reader = new GroupsReader();
        reader.level(groups, null);
        return GroupTree.of(reader.specs);
    }

    /** Adds the groups of one mapping, parents before their children, in file order. */
    private void level(YamlMapping level, String parent) {
        for (String name : level.names()) {
            String key = level.key(name);
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException(
                        key + ": a group name may only have letters, digits, '.', '_' and '-'");
            }
            String earlier = keys.putIfAbsent(name, key);
            if (earlier != null) {
                throw new IllegalArgumentException(
                        key + ": group name '" + name + "' is already used by " + earlier + "; names are unique");
            }
            YamlMapping group = level.mapping(name);
            group.checkKeys(GROUP, List.of());
            if (!group.has("limit")) {
                throw new IllegalArgumentException(group.key("limit") + ": required (jobs that may run at once)");
            }
            int limit = group.integer("limit", 0);
            if (limit < 1) {
                throw new IllegalArgumentException(group.key("limit") + ": '" + limit + "' must be at least 1");
            }
            specs.add(new GroupSpec(name, parent, limit));
            level(group.mapping("children"), name);
        }
    }
}
