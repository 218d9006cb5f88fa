package fff.sender.watch;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One walk of a folder below a watched root: the watched regular files found (symbolic links are neither
 * followed nor reported), the folders listed, and the folders that could not be read. Each folder is handed
 * to a {@link Registrar} before it is listed, so a file created while the walk runs is either listed or
 * announced by an event.
 *
 * @param files      watched regular files by relative path
 * @param listed     folders listed completely
 * @param unreadable folders that could not be listed, with the reason
 */
record TreeScan(Map<String, FileStat> files, Set<String> listed, Map<String, String> unreadable) {

    /** Starts watching a folder for events; failures are the registrar's to report. */
    interface Registrar {
        void register(String relative);
    }

    /** Walks the folder at {@code start} ("" for the root itself), and below it when {@code recursive}. */
    static TreeScan walk(Path root, String start, WatchFilter filter, boolean recursive, Registrar registrar) {
        Map<String, FileStat> files = new HashMap<>();
        Set<String> listed = new HashSet<>();
        Map<String, String> unreadable = new LinkedHashMap<>();
        Deque<String> todo = new ArrayDeque<>();
        todo.push(start);
        while (!todo.isEmpty()) {
            String folder = todo.pop();
            Path dir = folder.isEmpty() ? root : root.resolve(folder);
            registrar.register(folder);
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path p : entries) {
                    String name = p.getFileName().toString();
                    String relative = folder.isEmpty() ? name : folder + "/" + name;
                    BasicFileAttributes a = attributes(p);
                    if (a == null) {
                        continue;
                    }
                    if (a.isDirectory()) {
                        if (recursive && filter.entersDirectory(relative)) {
                            todo.push(relative);
                        }
                    } else if (a.isRegularFile() && filter.acceptsFile(relative)) {
                        files.put(relative, FileStat.of(a));
                    }
                }
                listed.add(folder);
            } catch (NoSuchFileException | NotDirectoryException e) {
                // gone while walking: what was below it counts as gone
            } catch (IOException | DirectoryIteratorException e) {
                IOException cause = e instanceof DirectoryIteratorException d ? d.getCause() : (IOException) e;
                if (!(cause instanceof NoSuchFileException)) {
                    unreadable.put(folder, cause instanceof AccessDeniedException ? "permission denied" : cause.toString());
                }
            }
        }
        return new TreeScan(files, listed, unreadable);
    }

    /** The attributes of {@code p} without following a link, or null when it vanished or cannot be read. */
    static BasicFileAttributes attributes(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return null;
        }
    }
}
