package fff.receiver.convert;

import fff.common.hash.ContentHasher;
import fff.common.transcode.Profile;
import fff.proto.MediaInfo;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a stored conversion result is looked up by: the source's digest, the profile's name and the arguments the
 * converting ffmpeg runs with (the profile's convert options filled for this source, its output format), so a
 * profile changed in the config never answers from a result made the old way. {@link #id} is a SHA-256 of all
 * of it, length-prefixed field by field: the store's file names.
 */
public record ResultKey(byte[] sourceDigest, String profile, List<String> args) {

    public ResultKey {
        sourceDigest = sourceDigest.clone();
        Objects.requireNonNull(profile, "profile");
        args = List.copyOf(args);
    }

    /** The key of converting a source of {@code sourceDigest}, described by {@code media}, with {@code p}. */
    public static ResultKey of(byte[] sourceDigest, Profile p, MediaInfo media) {
        List<String> args = new ArrayList<>(p.convertArgs(media));
        args.add("-f");
        args.add(p.outputFormat());
        return new ResultKey(sourceDigest, p.name(), args);
    }

    /** 64 hex digits naming this key in the store. */
    public String id() {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        field(sha, sourceDigest);
        field(sha, profile.getBytes(StandardCharsets.UTF_8));
        for (String a : args) {
            field(sha, a.getBytes(StandardCharsets.UTF_8));
        }
        return ContentHasher.hex(sha.digest());
    }

    private static void field(MessageDigest sha, byte[] bytes) {
        int n = bytes.length;
        sha.update(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
        sha.update(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ResultKey k && java.util.Arrays.equals(sourceDigest, k.sourceDigest)
                && profile.equals(k.profile) && args.equals(k.args);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * java.util.Arrays.hashCode(sourceDigest) + profile.hashCode()) + args.hashCode();
    }

    @Override
    public String toString() {
        return profile + " of " + ContentHasher.hex(sourceDigest);
    }
}
