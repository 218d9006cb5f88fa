package fff.common.jobs;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * What happens to a source file after its destination verified it: kept, deleted, or moved into a done
 * folder (keeping its relative path). Only a source that is still the file that was sent — same size and
 * modification time — is touched; anything else is kept and said so. Runs off the engine's thread (disk I/O).
 */
final class SourceDisposal {

    private SourceDisposal() {
    }

    /** Applies {@code spec.after()}; returns what happened, for the job's history. Never throws. */
    static String apply(JobSpec spec) {
        if (spec.after().equals("keep")) {
            return "";
        }
        Path source = spec.source();
        try {
            BasicFileAttributes a = Files.readAttributes(source, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile() || a.size() != spec.size() || a.lastModifiedTime().toMillis() != spec.mtimeMillis()) {
                return "source changed since it was sent; kept";
            }
            if (spec.after().equals("delete")) {
                Files.delete(source);
                return "source deleted";
            }
            Path target = Path.of(spec.after().substring("move:".length())).resolve(spec.relative()).normalize();
            Files.createDirectories(target.getParent());
            Files.move(source, target); // never replaces: an existing file in the done folder is someone's
            return "source moved to " + target;
        } catch (NoSuchFileException e) {
            return "source already gone";
        } catch (FileAlreadyExistsException e) {
            return "source kept: " + e.getFile() + " already exists";
        } catch (IOException | RuntimeException e) {
            return "source kept: " + e;
        }
    }
}
