package fff.common.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.OptionalLong;

/**
 * The tiny side file {@code checkpoint} beside the queue files: the Chronicle index of the last
 * {@code CheckpointBegin} whose {@code CheckpointEnd} was appended, as one decimal line. It is only a hint that
 * spares a scan; {@link Journal} checks what it names and scans when it is missing or wrong.
 *
 * <p>Written atomically: a temporary file is written and fsynced, renamed over the old one, and the directory
 * is fsynced, so after a crash the file holds either the old or the new index, never a torn one.
 */
final class CheckpointFile {

    static final String NAME = "checkpoint";

    private final Path file;
    private final Path temp;

    CheckpointFile(Path dir) {
        this.file = dir.resolve(NAME);
        this.temp = dir.resolve(NAME + ".tmp");
    }

    Path path() {
        return file;
    }

    /** The index stored, or empty when the file is missing or unreadable. */
    OptionalLong read() {
        try {
            String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
            return OptionalLong.of(Long.parseLong(text));
        } catch (IOException | NumberFormatException e) { // missing (NoSuchFileException) or damaged
            return OptionalLong.empty();
        }
    }

    void write(long index) {
        byte[] line = (index + "\n").getBytes(StandardCharsets.US_ASCII);
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(line);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            // the rename itself is durable only once the directory entry is
            try (FileChannel d = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
                d.force(true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write journal checkpoint file " + file, e);
        }
    }

    void delete() throws IOException {
        Files.deleteIfExists(file);
    }
}
