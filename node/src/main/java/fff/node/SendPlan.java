package fff.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What {@code fff send PATH...} delivers: each file under its own name, each directory as a tree under its own
 * name (as {@code scp -r}), below an optional remote subdirectory. Directories are listed too so empty ones
 * arrive; symbolic links are skipped with a warning.
 */
record SendPlan(List<Item> items, List<String> warnings) {

    record Item(Path source, String remotePath, boolean directory, long size) { }

    static SendPlan of(List<Path> paths, String remoteDir) throws IOException {
        String prefix = remoteDir == null || remoteDir.isBlank() ? "" : trimSlashes(remoteDir) + "/";
        List<Item> items = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (Path p : paths) {
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException(p + ": no such file or directory");
            }
            Path abs = p.toAbsolutePath().normalize();
            Path base = abs.getParent() == null ? abs : abs.getParent();
            if (Files.isRegularFile(abs)) {
                items.add(new Item(abs, prefix + wire(base.relativize(abs)), false, Files.size(abs)));
                continue;
            }
            try (Stream<Path> walk = Files.walk(abs)) {
                walk.forEach(f -> {
                    try {
                        if (Files.isSymbolicLink(f)) {
                            warnings.add("skipped symbolic link " + f);
                        } else if (Files.isDirectory(f)) {
                            items.add(new Item(f, prefix + wire(base.relativize(f)), true, 0));
                        } else if (Files.isRegularFile(f)) {
                            items.add(new Item(f, prefix + wire(base.relativize(f)), false, Files.size(f)));
                        } else {
                            warnings.add("skipped special file " + f);
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        }
        return new SendPlan(List.copyOf(items), List.copyOf(warnings));
    }

    long totalBytes() {
        return items.stream().mapToLong(Item::size).sum();
    }

    long fileCount() {
        return items.stream().filter(i -> !i.directory()).count();
    }

    private static String wire(Path relative) {
        List<String> parts = new ArrayList<>();
        relative.forEach(part -> parts.add(part.toString()));
        return String.join("/", parts);
    }

    private static String trimSlashes(String s) {
        String t = s.replace('\\', '/');
        while (t.startsWith("/")) {
            t = t.substring(1);
        }
        while (t.endsWith("/")) {
            t = t.substring(0, t.length() - 1);
        }
        return t;
    }
}
