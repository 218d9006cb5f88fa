package fff.common.config;

import fff.common.wire.HostPort;

/**
 * The {@code web:} section: where the node serves its JSON API, {@code /healthz} and {@code /metrics}.
 *
 * @param listen key {@code listen}: address of the web server. Default (when null): {@link #DEFAULT_LISTEN},
 *               loopback only
 */
public record WebSection(HostPort listen) {

    public static final HostPort DEFAULT_LISTEN = new HostPort("127.0.0.1", 8080);

    public WebSection {
        if (listen == null) {
            listen = DEFAULT_LISTEN;
        }
    }

    /** All defaults. */
    public static WebSection defaults() {
        return new WebSection(null);
    }
}
