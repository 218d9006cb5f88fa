package fff.node;

import fff.common.identity.NodeId;
import fff.receiver.ReceiverEvents;
import java.io.PrintStream;

/** Prints one line per delivered file, directory, mirrored delete or rename, for a receiver in the foreground. */
final class ConsoleEvents implements ReceiverEvents {

    private final PrintStream out;

    ConsoleEvents(PrintStream out) {
        this.out = out;
    }

    @Override
    public void file(NodeId from, String path, long size, long bytesWritten, boolean present) {
        out.printf("received %s (%s)%s from %s%n", path, Sizes.human(size),
                present ? " already present, nothing written" : bytesWritten < size
                        ? ", resumed: " + Sizes.human(bytesWritten) + " written now" : "", who(from));
    }

    @Override
    public void transcoded(NodeId from, String path, String profile, long wireBytes) {
        out.printf("received %s transcoded with %s (%s on the wire) from %s%n", path, profile, Sizes.human(wireBytes),
                who(from));
    }

    @Override
    public void directory(NodeId from, String path) {
        out.printf("received directory %s from %s%n", path, who(from));
    }

    @Override
    public void removed(NodeId from, String path) {
        out.printf("removed %s from %s%n", path, who(from));
    }

    @Override
    public void renamed(NodeId from, String fromPath, String toPath) {
        out.printf("renamed %s -> %s from %s%n", fromPath, toPath, who(from));
    }

    private static String who(NodeId id) {
        return id == null ? "unidentified plain sender" : id.shortForm();
    }
}
