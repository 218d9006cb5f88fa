package fff.receiver.storage;

import fff.common.paths.DurableFiles;
import fff.common.paths.SafePaths;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The sidecar of a striped file's partial ({@link SafePaths#rangesFor}, {@code ..<name>.fff-partial.fff-partial}):
 * which bytes of the partial are held and which are verified, so each part resumes exactly after a restart.
 * US-ASCII lines:
 *
 * <pre>
 * fff-ranges 1
 * size 5767168
 * held 0 1048576
 * held 2097152 5767168
 * verified 2097152 4194304
 * </pre>
 *
 * {@code held s e}: bytes [s, e) of the partial are the sender's (block-floored, except at the end of the file);
 * {@code verified s e}: every part inside was verified (always also held). Ranges rather than per-part counts, so a
 * contiguous prefix left by an unstriped transfer, a copied present file or a sender that splits differently are
 * all said the same way. Replaced atomically (temporary {@code partialFor(sidecar)}, fsync, rename, fsync of the
 * folder), and only after the partial's data it describes was forced: after a crash it may lag the data, never lead.
 *
 * <p>Invariant kept by {@link LandingArea}: a partial without a sidecar is a contiguous prefix of its file.
 */
final class RangesFile {

    private static final String MAGIC = "fff-ranges 1";
    /** Far more than any sane sidecar; a bigger file there is not ours. */
    private static final long MAX_BYTES = 1 << 20;

    /** What a sidecar says; {@code size} -1 when the file was there but unreadable (nothing is taken as held). */
    record State(long size, ByteRanges held, ByteRanges verified) {}

    private RangesFile() {}

    /** The sidecar at {@code path}, or null when there is none; a link planted there is deleted, not followed. */
    static State read(Path path) throws IOException {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
        if (!attrs.isRegularFile() || attrs.size() > MAX_BYTES) {
            if (!attrs.isDirectory()) {
                Files.delete(path);
            }
            return attrs.isDirectory() ? unreadable() : null;
        }
        byte[] bytes;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer buf = ByteBuffer.allocate((int) attrs.size());
            while (buf.hasRemaining() && ch.read(buf) >= 0) {
                // until full or at the end
            }
            bytes = buf.array();
        } catch (NoSuchFileException e) {
            return null;
        }
        return parse(new String(bytes, StandardCharsets.US_ASCII));
    }

    static State parse(String text) {
        String[] lines = text.split("\n");
        if (lines.length < 2 || !lines[0].equals(MAGIC) || !lines[1].startsWith("size ")) {
            return unreadable();
        }
        try {
            long size = Long.parseLong(lines[1].substring(5));
            ByteRanges held = new ByteRanges();
            ByteRanges verified = new ByteRanges();
            for (int i = 2; i < lines.length; i++) {
                String[] f = lines[i].split(" ");
                if (f.length != 3) {
                    return unreadable();
                }
                long s = Long.parseLong(f[1]);
                long e = Long.parseLong(f[2]);
                if (s < 0 || e <= s || e > size) {
                    return unreadable();
                }
                switch (f[0]) {
                    case "held" -> held.add(s, e);
                    case "verified" -> verified.add(s, e);
                    default -> {
                        return unreadable();
                    }
                }
            }
            held.addAll(verified);
            return new State(size, held, verified);
        } catch (NumberFormatException e) {
            return unreadable();
        }
    }

    static String format(long size, ByteRanges held, ByteRanges verified) {
        StringBuilder sb = new StringBuilder(MAGIC).append('\n').append("size ").append(size).append('\n');
        for (long[] r : held.list()) {
            sb.append("held ").append(r[0]).append(' ').append(r[1]).append('\n');
        }
        for (long[] r : verified.list()) {
            sb.append("verified ").append(r[0]).append(' ').append(r[1]).append('\n');
        }
        return sb.toString();
    }

    /** Replaces the sidecar at {@code path} atomically and durably. */
    static void write(Path path, long size, ByteRanges held, ByteRanges verified) throws IOException {
        Path tmp = SafePaths.partialFor(path);
        Files.deleteIfExists(tmp); // a link planted there is removed, not followed
        ByteBuffer text = ByteBuffer.wrap(format(size, held, verified).getBytes(StandardCharsets.US_ASCII));
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            while (text.hasRemaining()) {
                ch.write(text);
            }
            ch.force(true);
        }
        Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        DurableFiles.fsyncDirectory(path.getParent());
    }

    /** Deletes the sidecar and its temporary, if there. */
    static boolean delete(Path path) throws IOException {
        Files.deleteIfExists(SafePaths.partialFor(path));
        return Files.deleteIfExists(path);
    }

    private static State unreadable() {
        return new State(-1, new ByteRanges(), new ByteRanges());
    }
}
