package fff.common.config;

import fff.common.schedule.GroupTree;
import fff.common.transcode.Profiles;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The checks of the {@code watch:} list as a whole, against each other and against the group tree, the
 * destinations and the profiles: known group (a missing one becomes the first root group), known destination,
 * known profile (to a peer only), no folder watched by two rules, unique names, and no {@code after: move:DIR}
 * into a watched folder.
 */
final class WatchRules {

    private WatchRules() {}

    /** {@code rules} with their default group filled in, unmodifiable; empty when null. */
    static List<WatchRule> checked(List<WatchRule> rules, GroupTree groups, Map<String, Destination> destinations,
            Profiles profiles) {
        if (rules == null) {
            return List.of();
        }
        String firstRoot = groups.specs().stream().filter(g -> g.parent() == null).findFirst().orElseThrow().name();
        List<WatchRule> out = new ArrayList<>(rules.size());
        for (int j = 0; j < rules.size(); j++) {
            WatchRule rule = rules.get(j);
            String key = "watch[" + j + "]";
            if (rule == null) {
                throw new IllegalArgumentException(key + ": empty entry");
            }
            if (rule.group() == null) {
                rule = rule.withGroup(firstRoot);
            } else if (!groups.contains(rule.group())) {
                throw new IllegalArgumentException(key + ".group: " + NodeConfig.unknownGroup(rule.group(), groups));
            }
            if (!destinations.containsKey(rule.to().destination())) {
                throw new IllegalArgumentException(key + ".to: '" + rule.to() + "': unknown destination '"
                        + rule.to().destination() + "' (" + (destinations.isEmpty() ? "no destinations configured"
                        : "destinations: " + String.join(", ", destinations.keySet())) + ")");
            }
            if (rule.profile() != null) {
                checkProfile(key + ".profile", rule, destinations.get(rule.to().destination()), profiles);
            }
            for (int i = 0; i < j; i++) {
                WatchRule earlier = out.get(i);
                String other = "watch[" + i + "]";
                boolean inside = earlier.catches(rule.path());
                boolean contains = rule.catches(earlier.path());
                if (inside || contains) {
                    String how = inside && contains ? "is the same folder as" : inside ? "is inside" : "contains";
                    throw new IllegalArgumentException(key + ".path: '" + rule.path() + "' " + how + " "
                            + other + ".path '" + earlier.path() + "'; a file would be sent by both rules");
                }
                if (earlier.name().equals(rule.name())) {
                    throw new IllegalArgumentException(
                            key + ".name: '" + rule.name() + "' is already the name of " + other);
                }
            }
            out.add(rule);
        }
        for (int j = 0; j < out.size(); j++) {
            After after = out.get(j).after();
            for (int i = 0; i < out.size() && after.dir() != null; i++) {
                if (i != j && out.get(i).catches(after.dir())) {
                    throw new IllegalArgumentException("watch[" + j + "].after: '" + after + "' moves files into "
                            + "watch[" + i + "].path '" + out.get(i).path() + "'; they would be sent again");
                }
            }
        }
        return List.copyOf(out);
    }

    private static void checkProfile(String key, WatchRule rule, Destination to, Profiles profiles) {
        if (profiles.get(rule.profile()).isEmpty()) {
            throw new IllegalArgumentException(key + ": unknown profile '" + rule.profile() + "' (profiles: "
                    + String.join(", ", profiles.names()) + ")");
        }
        if (to.kind() != Destination.Kind.PEER) {
            throw new IllegalArgumentException(key + ": '" + rule.profile() + "' needs a peer destination; '"
                    + to.name() + "' is " + to.kind().name().toLowerCase(Locale.ROOT));
        }
    }
}
