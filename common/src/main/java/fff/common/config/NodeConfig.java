package fff.common.config;

import fff.common.identity.NodeId;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything {@code fff run --config FILE} reads, checked as a whole: a node that listens has a landing area
 * and at least one allowed sender, every name in {@code receive.allow} resolves to a node ID, and only the
 * kinds of destination this version can send to are configured.
 *
 * <p>YAML shape (see DESIGN.md): top-level sections {@code node}, {@code web}, {@code receive} and
 * {@code destinations}. {@code groups}, {@code watch} and {@code sources} are recognised but refused by this
 * version.
 *
 * @param node         section {@code node:}; default (when null) {@link NodeSection#defaults()}
 * @param web          section {@code web:}; default (when null) {@link WebSection#defaults()}
 * @param receive      section {@code receive:}; null when absent, fine for a node that only sends
 * @param destinations section {@code destinations:}, by name in file order; default (when null) empty
 */
public record NodeConfig(
        NodeSection node, WebSection web, ReceiveSection receive, Map<String, Destination> destinations) {

    public NodeConfig {
        node = node == null ? NodeSection.defaults() : node;
        web = web == null ? WebSection.defaults() : web;
        destinations = destinations == null
                ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(destinations));
        for (Map.Entry<String, Destination> e : destinations.entrySet()) {
            Destination d = e.getValue();
            if (d == null || !e.getKey().equals(d.name())) {
                throw new IllegalArgumentException("destinations." + e.getKey() + ": entry is named "
                        + (d == null ? "null" : "'" + d.name() + "'"));
            }
            if (d.kind() != Destination.Kind.PEER) {
                throw new IllegalArgumentException(d.kindKey() + ": not supported yet by this version");
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
        }
    }

    /** Reads and checks a config file; relative paths in it are resolved against the file's directory. */
    public static NodeConfig load(Path file) throws ConfigException {
        return ConfigReader.read(file);
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
}
