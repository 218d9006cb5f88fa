package fff.common.config;

import fff.common.schedule.GroupTree;
import fff.common.transcode.Profile;
import fff.common.transcode.Profiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The checks of the {@code watch:} list as a whole, against each other and against the group tree, the
 * destinations and the profiles: known group (a missing one becomes the first root group), known destination,
 * known profile, no folder watched by two rules, unique names, and no {@code after: move:DIR} nor {@code out}
 * into a watched folder; a {@code via} rule's destination is a peer and its profile one that peer converts whole.
 */
final class WatchRules {

    private WatchRules() {}

    /** {@code rules} with their default group filled in, unmodifiable; empty when null. */
    static List<WatchRule> checked(List<WatchRule> rules, GroupTree groups, Map<String, Destination> destinations,
            Profiles profiles) {
        if (rules == null) {
            return List.of();
        }
        String firstRoot = firstRoot(groups);
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
            if (rule.via() != null) {
                checkVia(key, rule, destinations, profiles);
            } else {
                checkRoute(key + ".to", rule.to(), destinations);
            }
            if (rule.profile() != null) {
                checkProfile(key + ".profile", rule.profile(), profiles);
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
            Path results = out.get(j).out();
            for (int i = 0; i < out.size() && results != null; i++) {
                if (i != j && out.get(i).catches(results)) {
                    throw new IllegalArgumentException("watch[" + j + "].out: '" + results + "' is inside "
                            + "watch[" + i + "].path '" + out.get(i).path() + "'; the results would be sent again");
                }
            }
        }
        return List.copyOf(out);
    }

    /**
     * {@code sources} with their default group filled in, unmodifiable; empty when null. Names must differ from
     * each other and from the watch rules' (both name jobs in the journal).
     */
    static List<SourceRule> checkedSources(List<SourceRule> sources, List<WatchRule> watch, GroupTree groups,
            Map<String, Destination> destinations, Profiles profiles) {
        if (sources == null) {
            return List.of();
        }
        String firstRoot = firstRoot(groups);
        List<SourceRule> out = new ArrayList<>(sources.size());
        for (int j = 0; j < sources.size(); j++) {
            SourceRule rule = sources.get(j);
            String key = "sources[" + j + "]";
            if (rule == null) {
                throw new IllegalArgumentException(key + ": empty entry");
            }
            if (rule.group() == null) {
                rule = rule.with(firstRoot, rule.staging());
            } else if (!groups.contains(rule.group())) {
                throw new IllegalArgumentException(key + ".group: " + NodeConfig.unknownGroup(rule.group(), groups));
            }
            checkRoute(key + ".to", rule.to(), destinations);
            if (rule.profile() != null) {
                checkProfile(key + ".profile", rule.profile(), profiles);
            }
            String name = rule.name();
            for (int i = 0; i < watch.size(); i++) {
                if (watch.get(i).name().equals(name)) {
                    throw new IllegalArgumentException(key + ".name: '" + name + "' is already the name of watch["
                            + i + "]");
                }
            }
            for (int i = 0; i < out.size(); i++) {
                if (out.get(i).name().equals(name)) {
                    throw new IllegalArgumentException(key + ".name: '" + name + "' is already the name of sources["
                            + i + "]");
                }
            }
            out.add(rule);
        }
        return List.copyOf(out);
    }

    /** The group of a rule or source that names none: the tree's first root group. */
    private static String firstRoot(GroupTree groups) {
        return groups.specs().stream().filter(g -> g.parent() == null).findFirst().orElseThrow().name();
    }

    private static void checkRoute(String key, Route to, Map<String, Destination> destinations) {
        if (!destinations.containsKey(to.destination())) {
            throw new IllegalArgumentException(key + ": '" + to + "': unknown destination '"
                    + to.destination() + "' (" + (destinations.isEmpty() ? "no destinations configured"
                    : "destinations: " + String.join(", ", destinations.keySet())) + ")");
        }
    }

    /**
     * A {@code via} rule: its destination is a peer (only a node converts and returns), and its profile is a
     * whole-file one that the receiver runs; the profile's existence is checked like any rule's.
     */
    private static void checkVia(String key, WatchRule rule, Map<String, Destination> destinations,
            Profiles profiles) {
        Destination d = destinations.get(rule.via());
        if (d == null) {
            throw new IllegalArgumentException(key + ".via: unknown destination '" + rule.via() + "' ("
                    + (destinations.isEmpty() ? "no destinations configured"
                    : "destinations: " + String.join(", ", destinations.keySet())) + ")");
        }
        if (d.kind() != Destination.Kind.PEER) {
            throw new IllegalArgumentException(key + ".via: '" + rule.via() + "' is " + (d.kind()
                    == Destination.Kind.FTP ? "an FTP" : "a local") + " destination; via needs a peer node that "
                    + "converts and returns the files");
        }
        Profile p = profiles.get(rule.profile()).orElse(null);
        if (p != null && !(p.isWholeFile() && p.placement() == Profile.Placement.RECEIVER)) {
            List<String> fit = profiles.names().stream().filter(n -> profiles.get(n).map(
                    q -> q.isWholeFile() && q.placement() == Profile.Placement.RECEIVER).orElse(false)).toList();
            throw new IllegalArgumentException(key + ".profile: '" + rule.profile() + "' is not a whole-file "
                    + "profile the receiver converts, which via needs (" + (fit.isEmpty() ? "none configured"
                    : "these are: " + String.join(", ", fit)) + ")");
        }
    }

    /**
     * Any destination can take a profile: a peer transcodes the receive side itself, FTP and local destinations
     * get the output of both sides run on this node.
     */
    private static void checkProfile(String key, String profile, Profiles profiles) {
        if (profiles.get(profile).isEmpty()) {
            throw new IllegalArgumentException(key + ": unknown profile '" + profile + "' (profiles: "
                    + String.join(", ", profiles.names()) + ")");
        }
    }
}
