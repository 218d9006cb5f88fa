package fff.sender.ftp;

import fff.common.config.FtpLocation;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.Deque;
import java.util.List;
import java.util.function.LongConsumer;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPConnectionClosedException;
import org.apache.commons.net.ftp.FTPFile;
import org.apache.commons.net.ftp.FTPReply;

/**
 * One logged-in control connection to an FTP server (see {@link FtpConnector#open}). Paths are absolute,
 * '/'-separated. Failures are {@link FtpProblem}s naming the location, the operation, the path and the server's
 * reply. Not thread-safe: one caller at a time, as FTP itself is one command at a time.
 */
public final class FtpSession implements Closeable {

    /** Folders deeper than this below a listed folder are not descended into (a guard against link loops). */
    static final int MAX_DEPTH = 32;
    private static final int BUFFER = 256 * 1024;

    private final FtpLocation location;
    private final FTPClient client;

    FtpSession(FtpLocation location, FTPClient client) {
        this.location = location;
        this.client = client;
    }

    /**
     * Files (not folders) in {@code dir}, and below it when {@code recursive}; names starting with '.' (our own
     * partial uploads among them) are skipped, folders too. MLSD when the server offers MLST, else LIST, with an
     * MDTM per file when LIST gave the time only to the minute or the day.
     */
    public List<RemoteFile> list(String dir, boolean recursive) throws IOException {
        boolean mlsd = has("MLST", null);
        List<RemoteFile> out = new ArrayList<>();
        Deque<String> todo = new ArrayDeque<>();
        todo.add("");
        while (!todo.isEmpty()) {
            String rel = todo.poll();
            String path = rel.isEmpty() ? dir : join(dir, rel);
            FTPFile[] entries = io("list", path, () -> mlsd ? client.mlistDir(path) : client.listFiles(path));
            if (!FTPReply.isPositiveCompletion(client.getReplyCode())) {
                throw problem(rel.isEmpty() ? "list" : "list subfolder", path);
            }
            // some servers (vsftpd) list a missing folder as an empty one
            if (entries.length == 0 && !io("CWD", path, () -> client.changeWorkingDirectory(path))) {
                throw new FtpProblem(FtpProblem.NOT_FOUND, location + ": no folder " + path + " ("
                        + reply(client) + ")", false, client.getReplyCode(), null);
            }
            for (FTPFile f : entries) {
                if (f == null || f.getName() == null) {
                    continue;
                }
                String name = f.getName();
                int slash = name.lastIndexOf('/'); // some servers answer LIST with full paths
                name = slash >= 0 ? name.substring(slash + 1) : name;
                if (name.isEmpty() || name.startsWith(".")) {
                    continue;
                }
                String childRel = rel.isEmpty() ? name : rel + "/" + name;
                if (f.isDirectory()) {
                    if (recursive && childRel.chars().filter(c -> c == '/').count() < MAX_DEPTH) {
                        todo.add(childRel);
                    }
                } else if (f.isFile()) {
                    out.add(new RemoteFile(childRel, f.getSize(), mtime(f, join(dir, childRel), mlsd)));
                }
            }
        }
        return out;
    }

    private long mtime(FTPFile f, String path, boolean mlsd) throws IOException {
        Calendar ts = f.getTimestamp();
        // LIST gives minutes or days (the parser's Calendar says nothing reliable about its precision): a time
        // on a whole minute is taken as coarse and asked again with MDTM; MLSD times are to the second
        if (ts != null && (mlsd || ts.getTimeInMillis() % 60_000 != 0)) {
            return ts.getTimeInMillis();
        }
        var exact = io("MDTM", path, () -> client.mdtmInstant(path));
        return exact != null ? exact.toEpochMilli() : ts != null ? ts.getTimeInMillis() : 0;
    }

    /** Size in bytes; -1 when there is no such file. */
    public long size(String path) throws IOException {
        String s = io("SIZE", path, () -> client.getSize(path));
        if (s != null) {
            try {
                return Long.parseLong(s.strip());
            } catch (NumberFormatException e) {
                throw new FtpProblem(FtpProblem.PROTOCOL, location + ": SIZE " + path + " answered '" + s + "'",
                        false, client.getReplyCode(), e);
            }
        }
        if (client.getReplyCode() == 550 || client.getReplyCode() == 450) {
            return -1;
        }
        throw problem("SIZE", path);
    }

    /**
     * Fetches {@code remotePath} into {@code local}: continues with REST where a shorter {@code local} ends,
     * else from 0. Returns the bytes received by this call; {@code progress} hears the bytes in {@code local}.
     */
    public long download(String remotePath, Path local, LongConsumer progress) throws IOException {
        long remoteSize = size(remotePath);
        if (remoteSize < 0) {
            throw new FtpProblem(FtpProblem.NOT_FOUND, location + ": no file " + remotePath, false,
                    client.getReplyCode(), null);
        }
        long have = Files.isRegularFile(local) ? Files.size(local) : 0;
        long from = have > 0 && have < remoteSize && restStream() ? have : 0;
        client.setRestartOffset(from);
        InputStream in = io("RETR", remotePath, () -> client.retrieveFileStream(remotePath));
        if (in == null) {
            throw problem("RETR", remotePath);
        }
        long got = 0;
        try (in; OutputStream out = from > 0
                ? Files.newOutputStream(local, StandardOpenOption.APPEND)
                : Files.newOutputStream(local, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.WRITE)) {
            byte[] buf = new byte[BUFFER];
            for (int n; (n = in.read(buf)) >= 0; ) {
                out.write(buf, 0, n);
                got += n;
                progress.accept(from + got);
            }
        } catch (IOException e) {
            throw dropped("RETR", remotePath, e);
        }
        finish("RETR", remotePath);
        return got;
    }

    public void delete(String path) throws IOException {
        if (!io("DELE", path, () -> client.deleteFile(path))) {
            throw problem("DELE", path);
        }
    }

    /** Renames {@code from} to {@code to}, making {@code to}'s missing parent folders first. */
    public void rename(String from, String to) throws IOException {
        mkdirs(parent(to));
        if (!io("RNFR/RNTO", from, () -> client.rename(from, to))) {
            throw problem("rename to " + to + ":", from);
        }
    }

    /** Makes {@code dir} and its missing parents. */
    public void mkdirs(String dir) throws IOException {
        if (dir.equals("/") || io("CWD", dir, () -> client.changeWorkingDirectory(dir))) {
            return;
        }
        StringBuilder prefix = new StringBuilder();
        for (String part : dir.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            prefix.append('/').append(part);
            String p = prefix.toString();
            if (!io("CWD", p, () -> client.changeWorkingDirectory(p)) && !io("MKD", p, () -> client.makeDirectory(p))) {
                FtpProblem refused = problem("MKD", p);
                // another upload to the same folder may have made it in between
                if (!io("CWD", p, () -> client.changeWorkingDirectory(p))) {
                    throw refused;
                }
            }
        }
    }

    /** Whether the server still answers (NOOP). */
    public boolean alive() {
        try {
            return client.isConnected() && client.sendNoOp();
        } catch (IOException e) {
            return false;
        }
    }

    /** Says QUIT when the server still listens and closes the connection; never throws. */
    @Override
    public void close() {
        try {
            if (client.isConnected() && client.isAvailable()) {
                client.logout();
            }
        } catch (IOException e) {
            // going away anyway
        }
        quietlyDisconnect(client);
    }

    // ---- for the mover ----

    FtpLocation location() {
        return location;
    }

    /** The server continues a transfer at an offset (FEAT {@code REST STREAM}). */
    boolean restStream() throws IOException {
        return has("REST", "STREAM");
    }

    /** Whether FEAT listed {@code feature} (with {@code value} among its parameters, when not null). */
    boolean has(String feature, String value) throws IOException {
        return value == null ? client.hasFeature(feature) : client.hasFeature(feature, value);
    }

    /** FEAT's parameters for {@code feature}, or null. */
    String featureValue(String feature) throws IOException {
        return client.featureValue(feature);
    }

    /** Starts STOR of {@code path}, continuing at {@code offset} (REST) when it is &gt; 0. */
    OutputStream store(String path, long offset) throws IOException {
        client.setRestartOffset(offset);
        OutputStream out = io("STOR", path, () -> client.storeFileStream(path));
        if (out == null) {
            throw problem("STOR", path);
        }
        return out;
    }

    /**
     * The channel of the data connection the last {@link #store} opened, to write to instead of its stream; null
     * when there is none (FTPS, active mode).
     */
    SocketChannel dataChannel() {
        return client instanceof ChannelFtpClient c ? c.dataChannel() : null;
    }

    /** Reads the reply that ends a transfer (after its stream was closed). */
    void finish(String op, String path) throws IOException {
        if (!io(op, path, client::completePendingCommand)) {
            throw problem(op, path);
        }
    }

    /** Sends a command and returns the reply code; the text is in {@link #lastReply()}. */
    int command(String command, String args) throws IOException {
        return io(command, args, () -> client.sendCommand(command, args));
    }

    String lastReply() {
        return reply(client);
    }

    /** Closes the control connection at once, without QUIT; a transfer in progress on another thread fails. */
    void kill() {
        quietlyDisconnect(client);
    }

    /** A failure of the data connection in the middle of {@code op}: the connection is gone, try again later. */
    FtpProblem dropped(String op, String path, IOException e) {
        if (e instanceof FtpProblem p) {
            return p;
        }
        return new FtpProblem(FtpProblem.IO_ERROR, location + ": " + op + " " + path + " broke off: " + e.getMessage(),
                true, 0, e);
    }

    /** The problem the last reply describes, for a failed {@code op} on {@code path}. */
    FtpProblem problem(String op, String path) {
        int code = client.getReplyCode();
        String what = location + ": " + op + " " + path + " failed (" + reply(client) + ")";
        boolean writing = op.startsWith("STOR") || op.startsWith("APPE") || op.startsWith("MKD")
                || op.startsWith("rename") || op.startsWith("DELE");
        if (code == 552 || code == 452) {
            return new FtpProblem(FtpProblem.DISK_FULL, location + ": " + op + " " + path + ": server out of space ("
                    + reply(client) + ")", true, code, null);
        }
        if (code == 530) {
            return new FtpProblem(FtpProblem.LOGIN_FAILED, what, false, code, null);
        }
        if (code == 553 || (code == 550 && writing && !op.startsWith("DELE") && !op.startsWith("rename"))) {
            return new FtpProblem(FtpProblem.PERMISSION_DENIED, location + ": " + op + " " + path
                    + ": permission denied (" + reply(client) + ")", false, code, null);
        }
        if (code == 550 || code == 450) {
            return new FtpProblem(FtpProblem.NOT_FOUND, what, false, code, null);
        }
        if (code == 421 || code == 425 || code == 426) {
            return new FtpProblem(FtpProblem.IO_ERROR, what, true, code, null);
        }
        return new FtpProblem(FtpProblem.PROTOCOL, what, code >= 400 && code < 500, code, null);
    }

    private interface Call<T> {
        T run() throws IOException;
    }

    /** Runs one exchange; a lost or silent connection becomes a retryable IO_ERROR. */
    private <T> T io(String op, String path, Call<T> call) throws IOException {
        try {
            return call.run();
        } catch (FtpProblem e) {
            throw e;
        } catch (FTPConnectionClosedException e) {
            throw new FtpProblem(FtpProblem.IO_ERROR, location + ": server closed the connection during " + op + " "
                    + path + " (" + reply(client) + ")", true, client.getReplyCode(), e);
        } catch (SocketTimeoutException e) {
            throw new FtpProblem(FtpProblem.IO_ERROR, location + ": no answer to " + op + " " + path + " within "
                    + FtpConnector.IO_TIMEOUT.toSeconds() + " s", true, 0, e);
        } catch (IOException e) {
            throw new FtpProblem(FtpProblem.IO_ERROR, location + ": " + op + " " + path + ": " + e.getMessage(),
                    true, 0, e);
        }
    }

    static String join(String dir, String rel) {
        return dir.endsWith("/") ? dir + rel : dir + "/" + rel;
    }

    static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }

    static String reply(FTPClient client) {
        String r = client.getReplyString();
        return r == null || r.isBlank() ? "no reply" : r.strip().replaceAll("\\s*[\r\n]+\\s*", " ");
    }

    static void quietlyDisconnect(FTPClient client) {
        try {
            if (client.isConnected()) {
                client.disconnect();
            }
        } catch (IOException e) {
            // nothing left to release
        }
    }
}
