package fff.common.config;

import fff.common.identity.NodeId;
import fff.common.schedule.GroupSpec;
import fff.common.schedule.GroupTree;
import fff.common.transcode.Profiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything {@code fff run --config FILE} reads, checked as a whole: a node that listens has a landing area
 * and at least one allowed sender, every name in {@code receive.allow} resolves to a node ID, only the kinds
 * of destination this version can send to are configured, every group named by a watch rule or
 * {@code receive.group} is in the tree, every watch rule goes to a configured destination and names a known
 * profile if any, and no file can be picked up by two rules (or again after {@code after: move:DIR}).
 *
 * <p>YAML shape (see DESIGN.md): top-level sections {@code node}, {@code web},
 * {@code groups}, {@code destinations}, {@code receive}, {@code watch}, {@code jobs}, {@code profiles} and
 * {@code ffmpeg}, and {@code sources} (FTP folders polled for files to relay). Errors name the full key
 * ({@code watch[2].group}) and the bad value; non-fatal findings are in {@link #warnings()}.
 *
 * @param node         section {@code node:}; default (when null) {@link NodeSection#defaults()}
 * @param web          section {@code web:}; default (when null) {@link WebSection#defaults()}
 * @param receive      section {@code receive:}; null when absent, fine for a node that only sends
 * @param destinations section {@code destinations:}, by name in file order; default (when null) empty
 * @param groups       section {@code groups:}, the tree of concurrency limits that all jobs of this node, sent
 *                     and received, run under. Default (when null) {@link #defaultGroups()}: one root group
 *                     {@value #DEFAULT_GROUP} with limit {@value #DEFAULT_GROUP_LIMIT}
 * @param watch        section {@code watch:}, in file order; each rule's null group becomes the tree's first
 *                     root group. Default (when null) empty
 * @param sources      section {@code sources:}, in file order; group filled in as for watch rules, names unique
 *                     among watch rules and sources. Default (when null) empty
 * @param jobs         section {@code jobs:}; default (when null) {@link JobsSection#defaults()}
 * @param profiles     section {@code profiles:}, the transcode profiles: the built-ins with the options the
 *                     section sets, and the ones it defines. Default (when null) {@link Profiles#builtIns()}
 * @param ffmpegPath   key {@code ffmpeg.path}: the folder holding {@code ffmpeg} and {@code ffprobe}. Null: they
 *                     are looked for on PATH (by the node at start, not here)
 */
public record NodeConfig(
        NodeSection node,
        WebSection web,
        ReceiveSection receive,
        Map<String, Destination> destinations,
        GroupTree groups,
        List<WatchRule> watch,
        List<SourceRule> sources,
        JobsSection jobs,
        Profiles profiles,
        Path ffmpegPath) {

    public static final String DEFAULT_GROUP = "total";
    public static final int DEFAULT_GROUP_LIMIT = 4;

    private static final GroupTree DEFAULT_GROUPS =
            GroupTree.builder().root(DEFAULT_GROUP, DEFAULT_GROUP_LIMIT).build();

    /** A config without {@code sources:}, {@code profiles:} and {@code ffmpeg:} sections. */
    public NodeConfig(NodeSection node, WebSection web, ReceiveSection receive, Map<String, Destination> destinations,
            GroupTree groups, List<WatchRule> watch, JobsSection jobs) {
        this(node, web, receive, destinations, groups, watch, null, jobs, null, null);
    }

    /** A config without {@code sources:}. */
    public NodeConfig(NodeSection node, WebSection web, ReceiveSection receive, Map<String, Destination> destinations,
            GroupTree groups, List<WatchRule> watch, JobsSection jobs, Profiles profiles, Path ffmpegPath) {
        this(node, web, receive, destinations, groups, watch, null, jobs, profiles, ffmpegPath);
    }

    public NodeConfig {
        node = node == null ? NodeSection.defaults() : node;
        web = web == null ? WebSection.defaults() : web;
        groups = groups == null ? DEFAULT_GROUPS : groups;
        jobs = jobs == null ? JobsSection.defaults() : jobs;
        profiles = profiles == null ? Profiles.builtIns() : profiles;
        destinations = destinations == null
                ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(destinations));
        for (Map.Entry<String, Destination> e : destinations.entrySet()) {
            Destination d = e.getValue();
            if (d == null || !e.getKey().equals(d.name())) {
                throw new IllegalArgumentException("destinations." + e.getKey() + ": entry is named "
                        + (d == null ? "null" : "'" + d.name() + "'"));
            }
        }
        if (node.listen() != null) {
            if (receive == null || receive.root() == null) {
                throw new IllegalArgumentException("receive.root: required when node.listen is set");
            }
            if (receive.allow().isEmpty() && !receive.allowAny()) {
                throw new IllegalArgumentException("receive.allow: no sender is allowed; "
                        + "list node IDs or destination names, or set allow-any: true");
            }
        }
        if (receive != null) {
            resolve(receive.allow(), destinations);
            if (receive.group() != null && !groups.contains(receive.group())) {
                throw new IllegalArgumentException("receive.group: " + unknownGroup(receive.group(), groups));
            }
        }
        watch = WatchRules.checked(watch, groups, destinations, profiles);
        sources = WatchRules.checkedSources(sources, watch, groups, destinations, profiles);
    }

    /** The tree used without a {@code groups:} section: one root group {@code total} with limit 4. */
    public static GroupTree defaultGroups() {
        return DEFAULT_GROUPS;
    }

    /** Reads and checks a config file; relative paths in it are resolved against the file's directory. */
    public static NodeConfig load(Path file) throws ConfigException {
        return ConfigReader.read(file);
    }

    /** Whether some watch rule transcodes (has a {@code profile}), so the node needs ffmpeg to start. */
    public boolean needsFfmpeg() {
        return watch.stream().anyMatch(r -> r.profile() != null)
                || sources.stream().anyMatch(r -> r.profile() != null);
    }

    /** Whether this node accepts peers ({@code node.listen} is set). */
    public boolean receives() {
        return node.listen() != null;
    }

    /**
     * The node IDs {@code receive.allow} names: a destination name stands for that destination's {@code id}.
     * Empty without a {@code receive} section. {@link ReceiveSection#allowAny()} admits others too.
     */
    public Set<NodeId> allowedIds() {
        return receive == null ? Set.of() : resolve(receive.allow(), destinations);
    }

    private static Set<NodeId> resolve(List<String> allow, Map<String, Destination> destinations) {
        Set<NodeId> ids = new LinkedHashSet<>();
        for (int i = 0; i < allow.size(); i++) {
            String entry = allow.get(i);
            String key = "receive.allow[" + i + "]";
            Destination d = entry == null ? null : destinations.get(entry.strip());
            if (d != null) {
                if (d.id() == null) {
                    throw new IllegalArgumentException(key + ": destination '" + d.name() + "' has no id; set "
                            + "destinations." + d.name() + ".id to its node ID");
                }
                ids.add(d.id());
                continue;
            }
            try {
                ids.add(NodeId.parse(entry));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(key + ": '" + entry
                        + "' is neither a destination with an id nor a node ID (" + e.getMessage() + ")", e);
            }
        }
        return Collections.unmodifiableSet(ids);
    }

    /**
     * Findings that do not stop the node, one line each naming the key, for {@code fff run} to print: a group
     * whose limit exceeds its parent's (it can never use the excess), e.g.
     * {@code groups.total.children.outbound.children.NAS: limit 5 exceeds limit 4 of parent 'outbound'}.
     */
    public List<String> warnings() {
        List<String> out = new ArrayList<>();
        for (GroupSpec g : groups.specs()) {
            if (g.parent() != null && g.limit() > groups.limit(g.parent())) {
                out.add(groupKey(g.name()) + ": limit " + g.limit() + " exceeds limit "
                        + groups.limit(g.parent()) + " of parent '" + g.parent() + "'");
            }
        }
        return List.copyOf(out);
    }

    /** The config key of a group, e.g. {@code groups.total.children.outbound.children.NAS}. */
    public String groupKey(String group) {
        List<String> path = new ArrayList<>(groups.path(group));
        Collections.reverse(path);
        return "groups." + String.join(".children.", path);
    }

    static String unknownGroup(String group, GroupTree groups) {
        return "unknown group '" + group + "' (groups: " + String.join(", ", groups.names()) + ")";
    }
}
