package fff.node;

import fff.common.identity.NodeIdentity;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "init", mixinStandardHelpOptions = true,
        description = "Create this node's key and self-signed certificate; prints the node ID.")
final class InitCommand implements Callable<Integer> {

    @Mixin
    HomeOption home;

    @Override
    public Integer call() throws Exception {
        NodeIdentity id = NodeIdentity.create(home.resolve());
        System.out.println("created identity in " + home.resolve());
        System.out.println("node ID: " + id.id());
        UiToken.loadOrCreate(home.resolve());
        System.out.println("web UI token in " + home.resolve().resolve(UiToken.FILE) + " (fff id --token shows it)");
        return 0;
    }
}
