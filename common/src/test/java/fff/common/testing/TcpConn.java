package fff.common.testing;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One TCP connection as {@code ss -tin} shows it: the address line and the indented line of {@code tcp_info}
 * after it. Addresses are normalised: the dual-stack form Java and Netty sockets get ({@code [::ffff:10.77.0.2]})
 * becomes the IPv4 address. Absent figures are {@code NaN} or {@code -1}; {@link #field} reads any other
 * {@code key:value} of the info line, e.g. {@code field("cwnd")}.
 *
 * <pre>
 * ESTAB 0      45061344 10.77.0.1:58356 10.77.0.2:5201                     (state column missing under a state filter)
 * 	 bbr wscale:11,11 rto:252 rtt:51.996/0.093 ... send 2001512732bps ... delivery_rate 956495344bps ...
 * </pre>
 *
 * @param state          {@code ESTAB}, {@code TIME-WAIT}, ...; empty when {@code ss} was given a state filter
 * @param congestion     the congestion control algorithm ({@code cubic}, {@code bbr}, ...); null if not shown
 * @param rttMs          smoothed RTT in ms ({@code rtt:SRTT/VAR})
 * @param sendBps        {@code send}: cwnd × mss / srtt, bits per second
 * @param deliveryRateBps {@code delivery_rate}, bits per second
 * @param bytesAcked     {@code bytes_acked} (what this side sent and the peer acknowledged)
 * @param bytesReceived  {@code bytes_received}
 * @param retransmits    the total after the slash of {@code retrans:CUR/TOTAL}; 0 when not shown
 * @param info           the whole info line, trimmed
 */
public record TcpConn(String state, InetSocketAddress local, InetSocketAddress peer, String congestion,
        double rttMs, long sendBps, long deliveryRateBps, long bytesAcked, long bytesReceived, long retransmits,
        String info) {

    /** Flags {@code ss} may print before the algorithm's name. */
    private static final Set<String> FLAGS = Set.of("ts", "sack", "ecn", "ecnseen", "fastopen");
    private static final Pattern RATE = Pattern.compile("([0-9.]+)([KMGT]?)bps");

    /** Whether either end of the connection uses {@code port}. */
    public boolean touches(int port) {
        return local.getPort() == port || peer.getPort() == port;
    }

    /** The value of {@code key:value} on the info line (e.g. {@code "cwnd"} gives {@code "8984"}), or null. */
    public String field(String key) {
        return fields(info).get(key);
    }

    /**
     * Parses what {@code ss -tin} (with or without {@code -H}, with or without a state filter) printed. Header
     * and {@code LISTEN} lines are skipped; a connection whose info line is missing or empty (e.g. TIME-WAIT)
     * is kept with empty figures.
     */
    public static List<TcpConn> parse(String ssOutput) {
        List<TcpConn> out = new ArrayList<>();
        String[] lines = ssOutput.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isBlank() || Character.isWhitespace(line.charAt(0)) || line.startsWith("State ")
                    || line.startsWith("Recv-Q ")) {
                continue;
            }
            String[] t = line.trim().split("\\s+");
            // state? recv-q send-q local peer [process...]
            int first = isNumber(t[0]) ? 0 : 1;
            if (t.length < first + 4) {
                throw new IllegalArgumentException("not an ss connection line: '" + line + "'");
            }
            String state = first == 0 ? "" : t[0];
            if (state.equals("LISTEN")) {
                continue;
            }
            String info = "";
            if (i + 1 < lines.length && !lines[i + 1].isEmpty() && Character.isWhitespace(lines[i + 1].charAt(0))) {
                info = lines[++i].trim();
            }
            out.add(of(state, address(t[first + 2]), address(t[first + 3]), info));
        }
        return out;
    }

    private static TcpConn of(String state, InetSocketAddress local, InetSocketAddress peer, String info) {
        String[] tokens = info.isEmpty() ? new String[0] : info.split("\\s+");
        String congestion = null;
        for (String token : tokens) {
            if (token.indexOf(':') >= 0) {
                break; // the name comes before wscale:/rto:
            }
            if (!FLAGS.contains(token) && token.matches("[a-z][a-z0-9_]*")) {
                congestion = token;
                break;
            }
        }
        Map<String, String> f = fields(info);
        double rtt = Double.NaN;
        String r = f.get("rtt");
        if (r != null) {
            rtt = Double.parseDouble(r.substring(0, r.indexOf('/') < 0 ? r.length() : r.indexOf('/')));
        }
        String retrans = f.get("retrans");
        long retransmits = retrans == null ? 0 : Long.parseLong(retrans.substring(retrans.indexOf('/') + 1));
        return new TcpConn(state, local, peer, congestion, rtt, rate(tokens, "send"), rate(tokens, "delivery_rate"),
                number(f.get("bytes_acked")), number(f.get("bytes_received")), retransmits, info);
    }

    /** {@code key:value} pairs; a value in parentheses ({@code bbr:(bw:..,mrtt:..)}) is kept whole. */
    private static Map<String, String> fields(String info) {
        Map<String, String> f = new LinkedHashMap<>();
        for (String token : info.split("\\s+")) {
            int c = token.indexOf(':');
            if (c > 0 && c < token.length() - 1) {
                f.putIfAbsent(token.substring(0, c), token.substring(c + 1));
            }
        }
        return f;
    }

    /** The value after a bare word, e.g. {@code send 2001512732bps} or (older ss) {@code send 2.0Gbps}; -1. */
    private static long rate(String[] tokens, String word) {
        for (int i = 0; i + 1 < tokens.length; i++) {
            if (tokens[i].equals(word)) {
                Matcher m = RATE.matcher(tokens[i + 1]);
                if (m.matches()) {
                    double scale = switch (m.group(2)) {
                        case "K" -> 1e3;
                        case "M" -> 1e6;
                        case "G" -> 1e9;
                        case "T" -> 1e12;
                        default -> 1;
                    };
                    return Math.round(Double.parseDouble(m.group(1)) * scale);
                }
            }
        }
        return -1;
    }

    private static long number(String s) {
        return s == null ? -1 : Long.parseLong(s);
    }

    private static boolean isNumber(String s) {
        return !s.isEmpty() && s.chars().allMatch(Character::isDigit);
    }

    /** {@code 10.77.0.1:58354}, {@code [::ffff:10.77.0.2]:5201}, {@code [fe80::1%veth0]:22}, {@code *:*}. */
    static InetSocketAddress address(String s) {
        int colon = s.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("no port in ss address '" + s + "'");
        }
        String host = s.substring(0, colon);
        String port = s.substring(colon + 1);
        int p = port.equals("*") ? 0 : Integer.parseInt(port);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.equals("*")) {
            return new InetSocketAddress(p);
        }
        if (!host.matches("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*(%.*)?")) {
            return InetSocketAddress.createUnresolved(host, p); // a name (ss without -n): never looked up
        }
        try {
            // a literal: no lookup; ::ffff:a.b.c.d comes back as the IPv4 address
            return new InetSocketAddress(InetAddress.getByName(host), p);
        } catch (UnknownHostException | SecurityException e) {
            return InetSocketAddress.createUnresolved(host, p);
        }
    }
}
