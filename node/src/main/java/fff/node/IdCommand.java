package fff.node;

import fff.common.identity.NodeIdentity;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "id", mixinStandardHelpOptions = true, description = "Print this node's ID (give it to peers).")
final class IdCommand implements Callable<Integer> {

    @Mixin
    HomeOption home;

    @Option(names = "--token", description = "Print the web UI / API token instead (created if missing)")
    boolean token;

    @Override
    public Integer call() throws Exception {
        System.out.println(token ? UiToken.loadOrCreate(home.resolve()) : NodeIdentity.load(home.resolve()).id());
        return 0;
    }
}
