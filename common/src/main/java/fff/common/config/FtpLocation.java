package fff.common.config;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * A folder on an FTP server, as an FTP destination or an FTP source names it: {@code ftp://user@host[:port]/dir}
 * or {@code ftps://...} (explicit TLS: AUTH TLS on the control port, then a protected data channel). The password
 * is never part of the URL; it comes from an environment variable or a file named in the config, read when a
 * connection logs in, so it appears in no log, no error and no {@code toString}.
 *
 * @param key          the config key this came from, e.g. {@code destinations.archive.ftp}, for error messages
 * @param tls          {@code ftps://}: explicit TLS for control and data; the server's certificate is checked
 *                     against the JVM's trust store, or against {@code caFile} when given, and its host name
 * @param user         login name; {@code anonymous} when the URL has none
 * @param host         server host name or address
 * @param port         control port; 21 when the URL has none
 * @param dir          absolute folder on the server, '/'-separated, without a trailing '/' ("/" for the root)
 * @param passwordEnv  key {@code password-env}: environment variable holding the password, or null
 * @param passwordFile key {@code password-file}: file holding the password (first line), or null
 * @param caFile       key {@code ca-file}: PEM certificate(s) trusted for {@code ftps://} instead of the JVM's
 *                     trust store (a private CA or a self-signed server certificate), or null
 * @param active       key {@code active}: active mode (the server connects back); default passive
 */
public record FtpLocation(String key, boolean tls, String user, String host, int port, String dir,
        String passwordEnv, Path passwordFile, Path caFile, boolean active) {

    public static final int DEFAULT_PORT = 21;

    public FtpLocation {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException(key + ": no host");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(key + ": port " + port + " is not in 1..65535");
        }
        user = user == null || user.isEmpty() ? "anonymous" : user;
        dir = normalizeDir(key, dir);
        if (passwordEnv != null && passwordFile != null) {
            throw new IllegalArgumentException(key + ": give one of password-env and password-file, not both");
        }
        if (passwordEnv != null && !passwordEnv.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException(key + ": password-env '" + passwordEnv
                    + "' is not an environment variable name");
        }
        if (caFile != null && !tls) {
            throw new IllegalArgumentException(key + ": ca-file is for ftps:// only");
        }
    }

    /**
     * Parses {@code ftp://user@host[:port]/dir} or {@code ftps://...}. A password in the URL is refused (it would
     * end up in logs and the journal); so are queries, fragments and other schemes.
     */
    public static FtpLocation parse(String key, String url, String passwordEnv, Path passwordFile, Path caFile,
            boolean active) {
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(key + ": '" + url + "' is not a URL: " + e.getReason(), e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("ftp") && !scheme.equals("ftps")) {
            throw new IllegalArgumentException(key + ": '" + url + "' is not an ftp:// or ftps:// URL");
        }
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null && userInfo.contains(":")) {
            throw new IllegalArgumentException(key + ": the URL holds a password; put it in an environment "
                    + "variable (password-env) or a file (password-file) instead");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException(key + ": '" + url + "' has no host");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException(key + ": '" + url + "' has a query or fragment; give only "
                    + "scheme, user, host, port and folder");
        }
        return new FtpLocation(key, scheme.equals("ftps"), uri.getUserInfo(), uri.getHost(),
                uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort(), uri.getPath(), passwordEnv, passwordFile, caFile,
                active);
    }

    /**
     * The password to log in with, read now: from the environment variable, the file's first line, or
     * {@code anonymous@} for an anonymous login without either.
     *
     * @throws IllegalStateException naming the key and the variable or file when it cannot be read
     */
    public String password(UnaryOperator<String> env) {
        if (passwordEnv != null) {
            String value = env.apply(passwordEnv);
            if (value == null) {
                throw new IllegalStateException(key + ": environment variable " + passwordEnv
                        + " (password-env) is not set");
            }
            return value;
        }
        if (passwordFile != null) {
            try {
                String text = Files.readString(passwordFile, StandardCharsets.UTF_8);
                int end = text.indexOf('\n');
                return (end < 0 ? text : text.substring(0, end)).strip();
            } catch (IOException e) {
                throw new IllegalStateException(key + ": cannot read password-file " + passwordFile + ": " + e, e);
            }
        }
        if (user.equals("anonymous") || user.equals("ftp")) {
            return "anonymous@";
        }
        throw new IllegalStateException(key + ": user '" + user + "' needs a password-env or password-file");
    }

    /** The password from the process environment. */
    public String password() {
        return password(System::getenv);
    }

    /** {@code dir} joined with a '/'-separated relative path. */
    public String resolve(String relative) {
        String r = relative.startsWith("/") ? relative.substring(1) : relative;
        return r.isEmpty() ? dir : dir.equals("/") ? "/" + r : dir + "/" + r;
    }

    /** The URL without a password, as written (for logs and the page). */
    @Override
    public String toString() {
        String authority = user.equals("anonymous") ? host : user + "@" + host;
        return (tls ? "ftps://" : "ftp://") + authority + (port == DEFAULT_PORT ? "" : ":" + port)
                + (dir.equals("/") ? "/" : dir);
    }

    private static String normalizeDir(String key, String dir) {
        String d = dir == null || dir.isEmpty() ? "/" : dir;
        if (!d.startsWith("/")) {
            d = "/" + d;
        }
        while (d.length() > 1 && d.endsWith("/")) {
            d = d.substring(0, d.length() - 1);
        }
        for (String part : d.split("/")) {
            if (part.equals("..") || part.equals(".")) {
                throw new IllegalArgumentException(key + ": folder '" + dir + "' has '" + part + "' in it");
            }
        }
        if (d.contains("//")) {
            throw new IllegalArgumentException(key + ": folder '" + dir + "' has an empty part");
        }
        return d;
    }
}
