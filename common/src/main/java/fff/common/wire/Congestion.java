package fff.common.wire;

import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.RawUnixChannelOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * TCP congestion control chosen per connection, never by changing the machine: on Linux's native transport the
 * node sets {@code TCP_CONGESTION} on its own socket (Netty has no named option; its raw option reaches
 * {@code setsockopt}). One TCP stream on a long link with a little loss collapses under cubic and keeps most of
 * the link under BBR, so BBR is the default where the kernel has it.
 *
 * <p>What is asked for: an algorithm's name, {@link #SYSTEM} (leave the socket as the system made it), or null
 * for the default (BBR when the kernel offers it, else the system's). What a connection really uses is read back
 * from the socket, never assumed: an unprivileged process may only choose algorithms the kernel allows
 * ({@code net.ipv4.tcp_allowed_congestion_control}), and the kernel may lack one.
 *
 * <p>Built off the event loop (it reads the kernel's lists from {@code /proc}, which reflect the network
 * namespace the node runs in); {@link #apply} and {@link #inUse} are single socket calls and may run on a loop.
 */
public final class Congestion {

    /** Asked for in config: keep the system's default algorithm. */
    public static final String SYSTEM = "system";
    /** The default when the kernel has it. */
    public static final String BBR = "bbr";

    private static final Path PROC = Path.of("/proc/sys/net/ipv4");
    private static final int IPPROTO_TCP = 6;
    private static final int TCP_CONGESTION = 13;
    /** TCP_CA_NAME_MAX: the kernel's names are at most 15 bytes and a NUL. */
    private static final int NAME_MAX = 16;
    private static final RawUnixChannelOption OPTION =
            new RawUnixChannelOption("TCP_CONGESTION", IPPROTO_TCP, TCP_CONGESTION, NAME_MAX);
    private static final Pattern NAME = Pattern.compile("[a-z0-9_]{1,15}");

    /**
     * What one connection got.
     *
     * @param used the algorithm read back from the socket; null when it cannot be read (Java NIO transport)
     * @param why  why {@code used} is not what was asked for; null when it is (or the system's was asked for)
     */
    public record Outcome(String used, String why) { }

    private final String asked;
    private final String wanted;
    private final String systemDefault;
    private final List<String> available;
    private final List<String> allowed;

    private Congestion(String asked, String systemDefault, List<String> available, List<String> allowed) {
        this.asked = asked;
        this.systemDefault = systemDefault;
        this.available = available;
        this.allowed = allowed;
        this.wanted = asked != null ? asked : available.contains(BBR) ? BBR : SYSTEM;
    }

    /** Checks a config value: an algorithm's name, {@link #SYSTEM}, or null (the default). */
    public static String check(String key, String value) {
        if (value != null && !NAME.matcher(value).matches()) {
            throw new IllegalArgumentException(key + ": '" + value + "' is not a congestion control name "
                    + "(e.g. bbr, cubic, reno, or system for the machine's default)");
        }
        return value;
    }

    /** For {@code asked} (see the class comment), with what this machine's kernel says about its algorithms. */
    public static Congestion of(String asked) {
        check("congestion", asked);
        return new Congestion(asked, read("tcp_congestion_control").stream().findFirst().orElse(null),
                read("tcp_available_congestion_control"), read("tcp_allowed_congestion_control"));
    }

    /** Testing: as {@link #of} with a kernel that says what is given. */
    static Congestion of(String asked, String systemDefault, List<String> available, List<String> allowed) {
        return new Congestion(asked, systemDefault, available, allowed);
    }

    private static List<String> read(String file) {
        try {
            // a line reader, not readString: /proc files report size 0 and some answer in short reads
            return List.of(String.join(" ", Files.readAllLines(PROC.resolve(file))).trim().split("\\s+"));
        } catch (IOException | RuntimeException e) {
            return List.of(); // not Linux, or /proc not mounted
        }
    }

    /** What config asked for: a name, {@link #SYSTEM}, or null for the default. */
    public String asked() {
        return asked;
    }

    /** The algorithm {@link #apply} sets, or {@link #SYSTEM} when it leaves the socket alone. */
    public String wanted() {
        return wanted;
    }

    /** Sets the wanted algorithm on {@code ch} (before or after connect), then reads back what it uses. */
    public Outcome apply(Channel ch) {
        if (!(ch instanceof EpollSocketChannel)) {
            return new Outcome(null, SYSTEM.equals(wanted) ? null : "the native transport is not in use "
                    + "(Java NIO cannot choose an algorithm per socket); the system's " + systemDefault + " applies");
        }
        String refused = null;
        if (!SYSTEM.equals(wanted)) {
            try {
                ch.config().setOption(OPTION, encode(wanted));
            } catch (ChannelException e) {
                refused = refusal(e);
            }
        }
        String used = inUse(ch);
        if (refused != null) {
            return new Outcome(used, refused);
        }
        if (!SYSTEM.equals(wanted) && used != null && !used.equals(wanted)) {
            return new Outcome(used, "the socket reports " + used + " after " + wanted + " was set");
        }
        if (asked == null && SYSTEM.equals(wanted)) {
            return new Outcome(used, "the kernel has no bbr (available: " + String.join(" ", available) + ")");
        }
        return new Outcome(used, null);
    }

    String refusal(ChannelException e) {
        String cause = e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
        if (!available.isEmpty() && !available.contains(wanted)) {
            return "the kernel has no " + wanted + " (available: " + String.join(" ", available)
                    + "; Debian ships bbr as the module tcp_bbr)";
        }
        if (!allowed.isEmpty() && !allowed.contains(wanted)) {
            return wanted + " is not allowed for this user (net.ipv4.tcp_allowed_congestion_control = "
                    + String.join(" ", allowed) + "; ops/install.sh allows bbr, or run with CAP_NET_ADMIN)";
        }
        return "setting " + wanted + " failed: " + cause;
    }

    /** The algorithm {@code ch} uses now, read from the socket; null when it cannot be read. */
    public static String inUse(Channel ch) {
        if (!(ch instanceof EpollSocketChannel)) {
            return null;
        }
        try {
            ByteBuffer got = ch.config().getOption(OPTION);
            return got == null ? null : decode(got);
        } catch (ChannelException e) {
            return null;
        }
    }

    static ByteBuffer encode(String name) {
        ByteBuffer b = ByteBuffer.allocateDirect(NAME_MAX); // NUL-padded: remaining() must be exactly NAME_MAX
        b.put(name.getBytes(StandardCharsets.US_ASCII)).position(0);
        return b;
    }

    static String decode(ByteBuffer b) {
        StringBuilder s = new StringBuilder();
        for (int i = b.position(); i < b.limit() && b.get(i) != 0; i++) {
            s.append((char) b.get(i));
        }
        return s.isEmpty() ? null : s.toString();
    }

    /** For the log: what was asked, in words. */
    public String describeAsked() {
        return asked == null ? "default" : asked;
    }
}
