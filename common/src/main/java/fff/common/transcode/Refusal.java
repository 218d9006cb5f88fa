package fff.common.transcode;

import fff.proto.Reason;
import java.time.Duration;
import java.util.Collection;
import java.util.Locale;
import java.util.Objects;

/**
 * Why a profile will not take a source, said before any payload moves: a code for callers to act on (and to
 * put on the wire), and a message for people that names the figures, e.g. "clip.mov is 25.3 GiB, above
 * h265-mkv's max-size 20 GiB". Sizes are written in powers of 1024 (KiB, MiB, GiB, TiB), as config's
 * {@code K M G T} are.
 */
public record Refusal(Code code, String message) {

    public enum Code {
        /** The source is larger than the profile's {@code max-size}. */
        TOO_LARGE,
        /** The source runs longer than the profile's {@code max-duration}. */
        TOO_LONG,
        /** The source is not among the profile's {@code inputs}, or ffprobe cannot read it at all. */
        UNSUPPORTED_INPUT,
        /** The node converting the source knows no profile by the name asked for. */
        UNKNOWN_PROFILE,
        /** The node converting the source has no room for the source or the result. */
        DISK_FULL
    }

    public Refusal {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
    }

    /** The protocol's reason for this refusal (what a receiver puts in its Reject). */
    public Reason reason() {
        return switch (code) {
            case TOO_LARGE -> Reason.TOO_LARGE;
            case TOO_LONG -> Reason.TOO_LONG;
            case UNSUPPORTED_INPUT -> Reason.BAD_SOURCE;
            case UNKNOWN_PROFILE -> Reason.UNSUPPORTED_PROFILE;
            case DISK_FULL -> Reason.DISK_FULL;
        };
    }

    /** A source ffprobe cannot read as media: {@code e} says what ffprobe said. */
    public static Refusal unreadable(String profile, String file, MediaException e) {
        return new Refusal(Code.UNSUPPORTED_INPUT, file + " is not media " + profile + " can take: " + e.getMessage());
    }

    /** A profile name the converting node does not know; {@code known} are the ones it does. */
    public static Refusal unknownProfile(String profile, Collection<String> known) {
        return new Refusal(Code.UNKNOWN_PROFILE,
                "no profile '" + profile + "' here (profiles: " + String.join(", ", known) + ")");
    }

    /** No room for {@code file} ({@code needed} bytes) where only {@code free} bytes are left. */
    public static Refusal diskFull(String file, long needed, long free) {
        return new Refusal(Code.DISK_FULL, "no room for " + file + ": it needs " + size(needed) + ", "
                + size(free) + " free");
    }

    /** {@code bytes} for people: "512 bytes", "200 MiB", "25.3 GiB". */
    public static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + (bytes == 1 ? " byte" : " bytes");
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = bytes;
        int i = -1;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        String n = String.format(Locale.ROOT, "%.1f", v);
        return (n.endsWith(".0") ? n.substring(0, n.length() - 2) : n) + " " + units[i];
    }

    /** {@code d} for people, to a tenth of a second where it has one: "2:05:09", "3:07", "0:01.6". */
    public static String duration(Duration d) {
        long s = d.toSeconds();
        String whole = s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
        long tenths = d.toMillisPart() / 100;
        return tenths == 0 ? whole : whole + "." + tenths;
    }
}
