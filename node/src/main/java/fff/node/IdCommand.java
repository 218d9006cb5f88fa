package fff.node;

import fff.common.identity.NodeIdentity;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "id", mixinStandardHelpOptions = true, description = "Print this node's ID (give it to peers).")
final class IdCommand implements Callable<Integer> {

    @Mixin
    HomeOption home;

    @Override
    public Integer call() throws Exception {
        System.out.println(NodeIdentity.load(home.resolve()).id());
        return 0;
    }
}
