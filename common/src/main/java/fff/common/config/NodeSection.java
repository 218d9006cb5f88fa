package fff.common.config;

import fff.common.rate.RateSchedule;
import fff.common.wire.HostPort;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * The {@code node:} section: where this node keeps its state and whether it accepts peers.
 *
 * @param home   key {@code home}: identity, known peers, journal and UI token live here. Default (when null):
 *               {@link #defaultHome()}, i.e. {@code $FFF_HOME}, else {@code ~/.fff}
 * @param listen key {@code listen}: address of the peer protocol server. Null (the default): this node does
 *               not receive, it only sends
 * @param plain  key {@code plain}: plain TCP instead of mutual TLS, for trusted links only. Default false; it
 *               is also the default of each peer destination's {@code plain}
 * @param rate   key {@code rate}: the most this node sends over all destinations together, as a constant rate or
 *               a weekly {@link RateSchedule}. Default (when null) unlimited
 */
public record NodeSection(Path home, HostPort listen, boolean plain, RateSchedule rate) {

    public NodeSection {
        if (home == null) {
            home = defaultHome();
        }
        rate = rate == null ? RateSchedule.UNLIMITED : rate;
    }

    /** Without a node-wide rate limit. */
    public NodeSection(Path home, HostPort listen, boolean plain) {
        this(home, listen, plain, null);
    }

    /** All defaults: home {@link #defaultHome()}, not listening, TLS, no rate limit. */
    public static NodeSection defaults() {
        return new NodeSection(null, null, false);
    }

    /** {@code $FFF_HOME} if set, else {@code ~/.fff}; the same rule as the identity files use. */
    public static Path defaultHome() {
        return defaultHome(System::getenv, System.getProperty("user.home"));
    }

    static Path defaultHome(Function<String, String> env, String userHome) {
        String fffHome = env.apply("FFF_HOME");
        if (fffHome != null && !fffHome.isBlank()) {
            return Path.of(fffHome);
        }
        return Path.of(userHome, ".fff");
    }
}
