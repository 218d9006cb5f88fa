package fff.common.config;

import fff.common.identity.NodeId;
import fff.common.wire.Congestion;
import fff.common.rate.RateSchedule;
import fff.common.wire.HostPort;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One entry of the {@code destinations:} map: a place jobs are sent to, referred to as {@code NAME:subpath}.
 * Exactly one of {@code peer}, {@code ftp} and {@code local} is set; that is its {@link #kind()}.
 *
 * <p>Any kind takes a transcode profile: a peer's node runs the profile's receive side and stores its output;
 * for FTP and local destinations this node runs both sides and delivers the output.
 *
 * @param name        the map key; letters, digits, {@code . _ -}
 * @param peer        key {@code peer}: {@code HOST:PORT} of another node
 * @param id          key {@code id} (peers only): the node ID the peer must present. Null: not pinned (and
 *                    the name cannot be used in {@code receive.allow})
 * @param plain       key {@code plain} (peers only): plain TCP instead of TLS. Default: {@code node.plain}
 * @param connections key {@code connections} (peers only): TCP connections to open, at least 1, or
 *                    {@code auto} ({@link #AUTO_CONNECTIONS}, the default): start with two and add one while
 *                    throughput grows with it
 * @param ftp         key {@code ftp}: an {@code ftp://} or {@code ftps://} folder, with keys {@code password-env},
 *                    {@code password-file}, {@code ca-file} and {@code active} beside it
 * @param local       key {@code local}: a folder on this machine (another disk, a mounted device); files land
 *                    there with the landing area's discipline (partial name, hash, fsync, rename)
 * @param congestion  key {@code congestion} (peers only): the TCP congestion control of this node's connections
 *                    to the peer: {@code bbr}, {@code cubic}, another algorithm the kernel has, or {@code system};
 *                    null (the default) is bbr where the kernel offers it, else the system's
 * @param rate        key {@code rate}: the most this node sends there, over all connections, as a constant rate
 *                    or a weekly {@link RateSchedule}; within {@code node.rate}. Default (when null) unlimited
 */
public record Destination(
        String name,
        HostPort peer,
        NodeId id,
        boolean plain,
        int connections,
        FtpLocation ftp,
        Path local,
        String congestion,
        RateSchedule rate) {

    /** {@code connections: auto}, the default: the node opens more while throughput grows with them. */
    public static final int AUTO_CONNECTIONS = 0;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");

    /** What kind of place a destination is. */
    public enum Kind { PEER, FTP, LOCAL }

    public Destination {
        rate = rate == null ? RateSchedule.UNLIMITED : rate;
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("destinations." + name
                    + ": a destination name may only have letters, digits, '.', '_' and '-'");
        }
        int given = (peer != null ? 1 : 0) + (ftp != null ? 1 : 0) + (local != null ? 1 : 0);
        if (given != 1) {
            throw new IllegalArgumentException("destinations." + name + ": give exactly one of peer, ftp, local"
                    + (given == 0 ? "" : " (got " + given + ")"));
        }
        if (connections < 1 && connections != AUTO_CONNECTIONS) {
            throw new IllegalArgumentException(
                    "destinations." + name + ".connections: '" + connections + "' must be at least 1, or auto");
        }
        if (peer == null && id != null) {
            throw new IllegalArgumentException("destinations." + name + ".id: only a peer destination has an id");
        }
        Congestion.check("destinations." + name + ".congestion", congestion);
        if (peer == null && congestion != null) {
            throw new IllegalArgumentException("destinations." + name + ".congestion: only a peer destination has "
                    + "congestion");
        }
        if (peer != null && peer.port() == 0) {
            throw new IllegalArgumentException("destinations." + name + ".peer: '" + peer + "' has port 0");
        }
    }

    /** A peer destination with defaults: TLS unless {@code plain}, one connection. */
    public static Destination peer(String name, HostPort peer, NodeId id, boolean plain) {
        return new Destination(name, peer, id, plain, AUTO_CONNECTIONS, null, null, null, null);
    }

    /** An FTP destination. */
    public static Destination ftp(String name, FtpLocation ftp) {
        return new Destination(name, null, null, false, AUTO_CONNECTIONS, ftp, null, null, null);
    }

    /** A local folder destination. */
    public static Destination local(String name, Path folder) {
        return new Destination(name, null, null, false, AUTO_CONNECTIONS, null, folder, null, null);
    }

    public Kind kind() {
        return peer != null ? Kind.PEER : ftp != null ? Kind.FTP : Kind.LOCAL;
    }

    /** The config key of what was given for this destination, e.g. {@code destinations.archive.ftp}. */
    String kindKey() {
        return "destinations." + name + "." + kind().name().toLowerCase(Locale.ROOT);
    }
}
