package fff.common.identity;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Trust on first use, like ssh's {@code known_hosts}: the {@link NodeId} last accepted at each address. A
 * node compares what a peer presents against this before trusting it, and records a peer the user accepted.
 *
 * <p>File format, one entry per line; blank lines and lines starting with {@code #} are kept as they are:
 * <pre>
 * # comment
 * host:port NODEID
 * [::1]:7000 ABCD-EFGH-...
 * </pre>
 * The file is read on every call so that edits by the user or another process are seen, and rewritten
 * through a temp file and an atomic rename so a reader never sees half a file.
 */
public final class KnownPeers {

    public static final String FILE = "known_peers";

    private final Path file;

    public KnownPeers(Path file) {
        if (file == null) {
            throw new IllegalArgumentException("known peers file is null");
        }
        this.file = file;
    }

    /** The store in a node's home directory. */
    public static KnownPeers in(Path home) {
        return new KnownPeers(home.resolve(FILE));
    }

    public Path file() {
        return file;
    }

    /** The id remembered for {@code hostPort}, if any. */
    public synchronized Optional<NodeId> lookup(String hostPort) throws IOException {
        checkHostPort(hostPort);
        List<String> lines = readLines();
        for (int i = 0; i < lines.size(); i++) {
            String[] entry = entry(lines.get(i), i + 1);
            if (entry != null && entry[0].equals(hostPort)) {
                return Optional.of(NodeId.parse(entry[1]));
            }
        }
        return Optional.empty();
    }

    /** Records {@code id} for {@code hostPort}, replacing any id remembered for that address. */
    public synchronized void remember(String hostPort, NodeId id) throws IOException {
        checkHostPort(hostPort);
        if (id == null) {
            throw new IllegalArgumentException("node id for " + hostPort + " is null");
        }
        String line = hostPort + " " + id;
        List<String> lines = readLines();
        List<String> out = new ArrayList<>(lines.size() + 1);
        boolean replaced = false;
        for (int i = 0; i < lines.size(); i++) {
            String[] entry = entry(lines.get(i), i + 1);
            if (entry != null && entry[0].equals(hostPort)) {
                if (!replaced) {
                    out.add(line);
                    replaced = true;
                }
            } else {
                out.add(lines.get(i));
            }
        }
        if (!replaced) {
            out.add(line);
        }
        write(out);
    }

    private List<String> readLines() throws IOException {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        }
    }

    /** {@code [hostPort, id]} of an entry line, or null for a blank or comment line. */
    private String[] entry(String line, int number) throws IOException {
        String trimmed = line.strip();
        if (trimmed.isEmpty() || trimmed.startsWith("#")) {
            return null;
        }
        String[] parts = trimmed.split("\\s+", 2);
        if (parts.length != 2) {
            throw new IOException(file + " line " + number + ": expected \"host:port NODEID\", got \"" + line + "\"");
        }
        try {
            NodeId.parse(parts[1]);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + " line " + number + ": " + e.getMessage(), e);
        }
        return parts;
    }

    private void write(List<String> lines) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName() + ".", ".tmp");
        try {
            Files.write(tmp, lines, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void checkHostPort(String hostPort) {
        if (hostPort == null || hostPort.isEmpty() || hostPort.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("peer address must be host:port without spaces, got \"" + hostPort + "\"");
        }
        int colon = hostPort.lastIndexOf(':');
        int port = -1;
        if (colon > 0 && colon < hostPort.length() - 1 && hostPort.substring(colon + 1).chars().allMatch(c -> c >= '0' && c <= '9')
                && hostPort.length() - colon <= 6) {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("peer address must be host:port with a port in 1..65535, got \"" + hostPort + "\"");
        }
    }
}
