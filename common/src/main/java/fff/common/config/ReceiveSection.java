package fff.common.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The {@code receive:} section: where incoming files land and who may send them. Only used when
 * {@code node.listen} is set; {@link NodeConfig} checks what is required then.
 *
 * @param root          key {@code root}: the landing area. No default; required when {@code node.listen} is
 *                      set. Relative paths in a file are resolved against the file's directory
 * @param allow         key {@code allow}: senders accepted, each a destination name (that destination's
 *                      {@code id}) or a node ID; see {@link NodeConfig#allowedIds()}. Default (when null): none
 * @param allowAny      key {@code allow-any}: accept any sender that completes the handshake, whatever its
 *                      ID. Default false
 * @param reserve       key {@code reserve}: bytes of free space the landing area's file system keeps; offers
 *                      that would eat into it are refused. A {@link ByteSize}; default {@link #DEFAULT_RESERVE}
 *                      (1 GiB)
 * @param stalePartials key {@code stale-partials}: partial files untouched this long are deleted. A
 *                      {@link Durations} text; default (when null) {@link #DEFAULT_STALE_PARTIALS} (7d)
 * @param group         key {@code group}: the group of {@code groups:} whose tokens (and its ancestors') an
 *                      inbound offer takes while it is received; {@link NodeConfig} checks that it exists.
 *                      Default (when null): no admission limit beyond the receiver's own stream cap
 * @param convert       key {@code convert}: conversions run for senders that want the result back
 *                      ({@link ConvertSection}). Default (when null) its defaults
 */
public record ReceiveSection(Path root, List<String> allow, boolean allowAny, long reserve, Duration stalePartials,
        String group, ConvertSection convert) {

    public static final long DEFAULT_RESERVE = 1L << 30;
    public static final Duration DEFAULT_STALE_PARTIALS = Duration.ofDays(7);

    public ReceiveSection {
        allow = allow == null ? List.of() : List.copyOf(allow);
        if (reserve < 0) {
            throw new IllegalArgumentException("receive.reserve: '" + reserve + "' is negative");
        }
        if (stalePartials == null) {
            stalePartials = DEFAULT_STALE_PARTIALS;
        } else if (stalePartials.isNegative() || stalePartials.isZero()) {
            String shown = stalePartials.isZero() ? "0" : "-" + Durations.format(stalePartials.negated());
            throw new IllegalArgumentException("receive.stale-partials: '" + shown
                    + "' must be longer than 0, or partial files would be deleted while they are written");
        }
        if (group != null && group.isBlank()) {
            throw new IllegalArgumentException("receive.group: empty");
        }
        if (convert == null) {
            convert = ConvertSection.defaults();
        }
    }

    /** With the default {@code convert} settings. */
    public ReceiveSection(Path root, List<String> allow, boolean allowAny, long reserve, Duration stalePartials,
            String group) {
        this(root, allow, allowAny, reserve, stalePartials, group, null);
    }
}
