package fff.sender.pull;

import fff.sender.ftp.RemoteFile;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The remote files that have stopped changing: those a listing shows with the size and time the previous
 * listing showed. A file still being written (or uploaded to the server) grows between polls and is left
 * until it stops. Not thread-safe; one per source, fed every listing in order.
 */
final class SteadyFiles {

    private Map<String, RemoteFile> previous = Map.of();

    /** The files of {@code listing} that the previous listing had unchanged, in listing order. */
    List<RemoteFile> steady(List<RemoteFile> listing) {
        Map<String, RemoteFile> now = new HashMap<>(listing.size() * 2);
        List<RemoteFile> out = new ArrayList<>();
        for (RemoteFile f : listing) {
            now.put(f.relative(), f);
            if (f.equals(previous.get(f.relative()))) {
                out.add(f);
            }
        }
        previous = now;
        return out;
    }
}
