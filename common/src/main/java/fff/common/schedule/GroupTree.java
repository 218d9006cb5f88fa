package fff.common.schedule;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Immutable tree (or forest) of named groups with limits. A job of a group needs one token from
 * the group and from each of its ancestors; {@link #path(String)} lists them. Names are unique.
 * A child whose limit exceeds its parent's is allowed; it is reported in {@link #warnings()}.
 */
public final class GroupTree {

    private final Map<String, GroupSpec> groups; // declaration order
    private final Map<String, List<String>> children;
    private final Map<String, List<String>> paths;
    private final List<String> warnings;

    private GroupTree(Map<String, GroupSpec> groups) {
        this.groups = groups;
        Map<String, List<String>> kids = new HashMap<>();
        for (GroupSpec g : groups.values()) {
            kids.put(g.name(), new ArrayList<>());
        }
        for (GroupSpec g : groups.values()) {
            if (g.parent() != null) {
                kids.get(g.parent()).add(g.name());
            }
        }
        Map<String, List<String>> kidsCopy = new HashMap<>();
        kids.forEach((k, v) -> kidsCopy.put(k, List.copyOf(v)));
        this.children = Map.copyOf(kidsCopy);

        Map<String, List<String>> p = new HashMap<>();
        List<String> warn = new ArrayList<>();
        for (GroupSpec g : groups.values()) {
            List<String> path = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            for (String at = g.name(); at != null; at = groups.get(at).parent()) {
                if (!seen.add(at)) {
                    throw new IllegalArgumentException("group '" + g.name() + "': parent cycle through '" + at + "'");
                }
                path.add(at);
            }
            p.put(g.name(), List.copyOf(path));
            if (g.parent() != null && g.limit() > groups.get(g.parent()).limit()) {
                warn.add("group '" + g.name() + "': limit " + g.limit() + " exceeds limit "
                        + groups.get(g.parent()).limit() + " of parent '" + g.parent() + "'");
            }
        }
        this.paths = Map.copyOf(p);
        this.warnings = List.copyOf(warn);
    }

    /** Builds a tree from specs in any order; parents must be among the specs. */
    public static GroupTree of(List<GroupSpec> specs) {
        Map<String, GroupSpec> byName = new LinkedHashMap<>();
        for (GroupSpec s : specs) {
            if (byName.putIfAbsent(s.name(), s) != null) {
                throw new IllegalArgumentException("group '" + s.name() + "': duplicate name");
            }
        }
        if (byName.isEmpty()) {
            throw new IllegalArgumentException("group tree must have at least one group");
        }
        for (GroupSpec s : specs) {
            if (s.parent() != null && !byName.containsKey(s.parent())) {
                throw new IllegalArgumentException("group '" + s.name() + "': unknown parent '" + s.parent() + "'");
            }
        }
        return new GroupTree(byName);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** All group names in declaration order. */
    public List<String> names() {
        return List.copyOf(groups.keySet());
    }

    public boolean contains(String group) {
        return groups.containsKey(group);
    }

    /** The configured limit of a group. */
    public int limit(String group) {
        return spec(group).limit();
    }

    public Optional<String> parent(String group) {
        return Optional.ofNullable(spec(group).parent());
    }

    public List<String> children(String group) {
        spec(group);
        return children.get(group);
    }

    /** The group followed by its ancestors up to the root. */
    public List<String> path(String group) {
        spec(group);
        return paths.get(group);
    }

    /** Non-fatal findings, such as a child limit above its parent's. */
    public List<String> warnings() {
        return warnings;
    }

    public List<GroupSpec> specs() {
        return List.copyOf(groups.values());
    }

    private GroupSpec spec(String group) {
        GroupSpec s = groups.get(group);
        if (s == null) {
            throw new IllegalArgumentException("unknown group '" + group + "'");
        }
        return s;
    }

    /** Declares groups parent first. */
    public static final class Builder {
        private final List<GroupSpec> specs = new ArrayList<>();

        private Builder() {
        }

        public Builder root(String name, int limit) {
            specs.add(GroupSpec.root(name, limit));
            return this;
        }

        public Builder child(String parent, String name, int limit) {
            specs.add(new GroupSpec(name, parent, limit));
            return this;
        }

        public GroupTree build() {
            return GroupTree.of(specs);
        }
    }
}
