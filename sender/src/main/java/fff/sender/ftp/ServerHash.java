package fff.sender.ftp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * A whole-file hash the server computes on request, picked from what FEAT offers: {@code HASH} (draft-bryan-
 * ftpext-hash; SHA-256, SHA-1, MD5 or CRC32, chosen with {@code OPTS HASH}), {@code XMD5}, {@code MD5}
 * (draft-twine-ftpmd5) or {@code XCRC}. The mover computes the same kind locally while it reads the source.
 */
final class ServerHash {

    private final String command;
    /** Java name of the algorithm ({@code MessageDigest}), or "CRC32". */
    private final String algorithm;
    private final Pattern hex;

    private ServerHash(String command, String algorithm) {
        this.command = command;
        this.algorithm = algorithm;
        int digits = switch (algorithm) {
            case "SHA-256" -> 64;
            case "SHA-1" -> 40;
            case "MD5" -> 32;
            default -> 8;
        };
        this.hex = Pattern.compile("(?<![0-9A-Fa-f])[0-9A-Fa-f]{" + digits + "}(?![0-9A-Fa-f])");
    }

    /** The best hash the session's server offers, or null; selects the HASH algorithm on the server. */
    static ServerHash offered(FtpSession session) throws IOException {
        if (session.has("HASH", null)) {
            String value = session.featureValue("HASH");
            String offered = value == null ? "" : value.toUpperCase(Locale.ROOT).replace("*", "");
            for (String alg : new String[] {"SHA-256", "SHA-1", "MD5", "CRC32"}) {
                if ((";" + offered + ";").contains(";" + alg + ";")) {
                    int code = session.command("OPTS", "HASH " + alg);
                    if (code >= 200 && code < 300) {
                        return new ServerHash("HASH", alg);
                    }
                }
            }
        }
        if (session.has("XMD5", null)) {
            return new ServerHash("XMD5", "MD5");
        }
        if (session.has("MD5", null)) {
            return new ServerHash("MD5", "MD5");
        }
        if (session.has("XCRC", null)) {
            return new ServerHash("XCRC", "CRC32");
        }
        return null;
    }

    /** What the server calls it, e.g. "XMD5 (MD5)". */
    String describe() {
        return command + " (" + algorithm + ")";
    }

    /** The server's hash of the whole of {@code path}, lower-case hex; null when it gave none. */
    String remote(FtpSession session, String path) throws IOException {
        int code = session.command(command, path);
        if (code < 200 || code >= 300) {
            return null;
        }
        String reply = session.lastReply();
        // the reply echoes the path, which may itself look like hex: HASH puts the hash before the path, the
        // others after it (XMD5, XCRC: hash alone; MD5: path then hash)
        Matcher m = hex.matcher(reply.length() > 4 ? reply.substring(4) : "");
        String found = null;
        while (m.find()) {
            found = m.group();
            if (command.equals("HASH")) {
                break;
            }
        }
        return found == null ? null : found.toLowerCase(Locale.ROOT);
    }

    /** A fresh local digest of this kind. */
    Local local() {
        if (algorithm.equals("CRC32")) {
            CRC32 crc = new CRC32();
            return new Local() {
                public void update(byte[] b, int off, int len) {
                    crc.update(b, off, len);
                }

                public void update(ByteBuffer b) {
                    crc.update(b.duplicate());
                }

                public String hex() {
                    return String.format("%08x", crc.getValue());
                }
            };
        }
        MessageDigest md;
        try {
            md = MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " missing from this JVM", e);
        }
        return new Local() {
            public void update(byte[] b, int off, int len) {
                md.update(b, off, len);
            }

            public void update(ByteBuffer b) {
                md.update(b.duplicate());
            }

            public String hex() {
                return HexFormat.of().formatHex(md.digest());
            }
        };
    }

    /** The local side of a server hash. */
    interface Local {
        void update(byte[] b, int off, int len);

        /** Feeds the remaining bytes of {@code b}; its position is left unchanged. */
        void update(ByteBuffer b);

        String hex();
    }
}
