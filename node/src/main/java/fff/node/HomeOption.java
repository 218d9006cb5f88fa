package fff.node;

import fff.common.identity.NodeIdentity;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --home}: where the node keeps its identity and known peers. */
final class HomeOption {

    @Option(names = "--home", paramLabel = "DIR",
            description = "Node home (identity, known_peers). Default: $FFF_HOME, else ~/.fff")
    Path home;

    Path resolve() {
        return home != null ? home : NodeIdentity.defaultHome();
    }
}
