package fff.common.identity;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Locale;

/**
 * Who a node is: the SHA-256 fingerprint of the DER encoding of its certificate. Peers are authorized by
 * pinning this value, so it is what users read, compare and paste.
 *
 * <p>Text form: RFC 4648 base32 of the 32 bytes without padding (52 characters, upper case), in 13 groups of
 * 4 joined by {@code '-'}, e.g. {@code MFRG-GZDF-...}. {@link #parse} also takes lower case and the groups
 * separated by spaces or not at all.
 */
public record NodeId(byte[] bytes) {

    public static final int BYTES = 32;

    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private static final int CHARS = 52;
    private static final int GROUP = 4;

    public NodeId {
        if (bytes == null || bytes.length != BYTES) {
            throw new IllegalArgumentException("node id must be " + BYTES + " bytes, got "
                    + (bytes == null ? "null" : bytes.length));
        }
        bytes = bytes.clone();
    }

    /** The id of the node presenting {@code certificate}. */
    public static NodeId of(X509Certificate certificate) {
        try {
            return new NodeId(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("certificate cannot be DER-encoded: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JRE has SHA-256", e);
        }
    }

    /** Reads the text form; see the class javadoc for what is accepted. */
    public static NodeId parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("node id is null");
        }
        String chars = text.strip().replaceAll("[-\\s]", "").toUpperCase(Locale.ROOT);
        if (chars.length() != CHARS) {
            throw bad(text, "expected " + CHARS + " base32 characters, got " + chars.length());
        }
        byte[] out = new byte[BYTES];
        int buffer = 0;
        int bits = 0;
        int n = 0;
        for (int i = 0; i < CHARS; i++) {
            int v = ALPHABET.indexOf(chars.charAt(i));
            if (v < 0) {
                throw bad(text, "'" + chars.charAt(i) + "' is not a base32 character");
            }
            buffer = (buffer << 5) | v;
            bits += 5;
            if (bits >= 8) {
                bits -= 8;
                out[n++] = (byte) (buffer >>> bits);
            }
        }
        // 52 characters carry 260 bits; the last 4 must be zero or two texts would name the same id.
        if ((buffer & ((1 << bits) - 1)) != 0) {
            throw bad(text, "last character is not canonical");
        }
        return new NodeId(out);
    }

    private static IllegalArgumentException bad(String text, String why) {
        return new IllegalArgumentException("invalid node id \"" + text + "\": " + why);
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The first two groups: enough to tell nodes apart in logs and lists, not to authorize one. */
    public String shortForm() {
        return toString().substring(0, 2 * GROUP + 1);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NodeId other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(CHARS + CHARS / GROUP - 1);
        int buffer = 0;
        int bits = 0;
        int written = 0;
        for (byte b : bytes) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                bits -= 5;
                written = append(sb, written, ALPHABET.charAt((buffer >>> bits) & 31));
            }
        }
        if (bits > 0) {
            append(sb, written, ALPHABET.charAt((buffer << (5 - bits)) & 31));
        }
        return sb.toString();
    }

    private static int append(StringBuilder sb, int written, char c) {
        if (written > 0 && written % GROUP == 0) {
            sb.append('-');
        }
        sb.append(c);
        return written + 1;
    }
}
