package fff.sender.watch;

import static java.nio.file.StandardOpenOption.APPEND;
import static java.nio.file.StandardOpenOption.CREATE;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The watcher on real folders: events, rescans, stability, renames and a vanishing root. */
class FolderWatcherTest {

    private static final Duration STABLE = Duration.ofMillis(200);
    /** Long enough for a wrongly repeated report (a stability period plus a look) to show up. */
    private static final Duration QUIET = Duration.ofMillis(500);
    private static final Duration POLL = Duration.ofMillis(20);
    private static final Duration LIMIT = Duration.ofSeconds(5);

    @TempDir
    Path tmp;

    private Path root;
    private ScheduledExecutorService timer;
    private final List<FolderWatcher> watchers = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createDirectory(tmp.resolve("watched"));
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "watch-test-timer");
            t.setDaemon(true);
            return t;
        });
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        watchers.forEach(FolderWatcher::close);
        timer.shutdownNow();
        assertTrue(timer.awaitTermination(2, TimeUnit.SECONDS));
    }

    /** Events only (no periodic rescan), so what is found was found through events or the first scan. */
    private WatchSpec spec() {
        return WatchSpec.of(root).withStableFor(STABLE).withRescanEvery(Duration.ZERO);
    }

    private RecordingListener watch(WatchSpec spec) {
        return watch(spec, true);
    }

    private RecordingListener watch(WatchSpec spec, boolean useEvents) {
        RecordingListener listener = new RecordingListener();
        FolderWatcher watcher = new FolderWatcher(spec, timer, listener, useEvents);
        watchers.add(watcher);
        watcher.start();
        return listener;
    }

    private static Path write(Path file, int bytes) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.write(file, new byte[bytes]);
    }

    private static void awaitLine(RecordingListener l, String line) {
        await().pollInterval(POLL).atMost(LIMIT).until(() -> l.has(line));
    }

    /** Waits until the sorted log is {@code expected} and stays so for {@link #QUIET}. */
    private static void awaitExactly(RecordingListener l, String... expected) {
        List<String> want = Stream.of(expected).sorted().toList();
        await().pollInterval(POLL).atMost(LIMIT.plus(QUIET)).during(QUIET).until(() -> l.sorted().equals(want));
    }

    @Test
    void filesThereAtStartAreReportedOnceAfterStableFor() throws IOException {
        write(root.resolve("a.txt"), 3);
        Path b = write(root.resolve("sub/b.bin"), 5);
        long started = System.nanoTime();
        RecordingListener l = watch(spec());

        awaitExactly(l, "stable a.txt 3", "stable sub/b.bin 5");
        assertTrue(l.firstStableAtNanos() - started >= STABLE.toNanos(), "reported before stable-for passed");
        WatchedFile f = l.stable("sub/b.bin").orElseThrow();
        BasicFileAttributes attrs = Files.readAttributes(b, BasicFileAttributes.class);
        assertEquals(b, f.absolute());
        assertEquals(attrs.lastModifiedTime().toMillis(), f.mtimeMillis());
        assertEquals(attrs.fileKey(), f.fileKey());
    }

    @Test
    void aFileWrittenSlowlyIsReportedOnceWithItsFinalSize() throws Exception {
        RecordingListener l = watch(spec().withStableFor(Duration.ofMillis(400)));
        try (OutputStream out = Files.newOutputStream(root.resolve("slow.bin"), CREATE, APPEND)) {
            for (int i = 0; i < 15; i++) {
                out.write(new byte[1000]);
                out.flush();
                Thread.sleep(100);
            }
        }
        assertEquals(List.of(), l.log(), "reported while still growing");
        awaitExactly(l, "stable slow.bin 15000");
    }

    @Test
    void foldersCreatedAfterStartAreWatched() throws IOException {
        RecordingListener l = watch(spec());
        write(root.resolve("a/b/c/deep.txt"), 1);
        awaitLine(l, "stable a/b/c/deep.txt 1");
        write(root.resolve("a/b/c/later.txt"), 2);
        write(root.resolve("a/x/y/z.txt"), 3);
        awaitExactly(l, "stable a/b/c/deep.txt 1", "stable a/b/c/later.txt 2", "stable a/x/y/z.txt 3");
    }

    @Test
    void includeAndExcludeGlobsChooseFiles() throws IOException {
        for (String name : List.of("top.mxf", "x/y/deep.mxf", "docs/a.txt", "docs/sub/b.txt", "other.txt",
                "x/skip/no.mxf")) {
            write(root.resolve(name), 1);
        }
        RecordingListener l = watch(spec().withInclude(List.of("**/*.mxf", "docs/*.txt"))
                .withExclude(List.of("**/skip/**")));
        awaitExactly(l, "stable top.mxf 1", "stable x/y/deep.mxf 1", "stable docs/a.txt 1");
    }

    @Test
    void hiddenAndTemporaryFilesAreIgnoredUnlessIncluded() throws IOException {
        List<String> ignored = List.of(".hidden", "a.tmp", "b.part", "c.partial", "d~", "e.swp",
                ".f.fff-partial", ".git/config");
        for (String name : ignored) {
            write(root.resolve(name), 1);
        }
        write(root.resolve("real.txt"), 1);
        RecordingListener plain = watch(spec());
        RecordingListener all = watch(spec().withIncludeHidden(true));

        awaitExactly(plain, "stable real.txt 1");
        List<String> everything = new ArrayList<>(ignored.stream().map(n -> "stable " + n + " 1").toList());
        everything.add("stable real.txt 1");
        awaitExactly(all, everything.toArray(String[]::new));
    }

    @Test
    void aFileChangedAfterItWasReportedIsReportedAgain() throws IOException {
        Path a = write(root.resolve("a.txt"), 3);
        RecordingListener l = watch(spec());
        awaitLine(l, "stable a.txt 3");
        Files.write(a, new byte[2], APPEND);
        awaitLine(l, "stable a.txt 5");
        Files.setLastModifiedTime(a, FileTime.fromMillis(Files.getLastModifiedTime(a).toMillis() + 10_000));
        await().atMost(LIMIT).until(() -> l.count("stable a.txt 5") == 2);
        awaitExactly(l, "stable a.txt 3", "stable a.txt 5", "stable a.txt 5");
    }

    @Test
    void withoutEventsRescansStillFindRemoveAndRename() throws IOException {
        RecordingListener l = watch(spec().withRescanEvery(Duration.ofMillis(300)), false);
        Path f = write(root.resolve("sub/f.txt"), 4);
        awaitLine(l, "stable sub/f.txt 4");
        Files.move(f, root.resolve("g.txt"));
        awaitLine(l, "renamed sub/f.txt -> g.txt");
        Files.delete(root.resolve("g.txt"));
        awaitExactly(l, "stable sub/f.txt 4", "renamed sub/f.txt -> g.txt", "removed g.txt");
        assertFalse(Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("fff-watch " + root)), "a watch-service thread was started");
    }

    @Test
    void deletingAReportedFileReportsRemovedAndAnUnreportedOneNothing() throws IOException {
        Path a = write(root.resolve("a.txt"), 3);
        RecordingListener l = watch(spec());
        awaitLine(l, "stable a.txt 3");
        Files.delete(a);
        Files.delete(write(root.resolve("brief.txt"), 1));
        awaitExactly(l, "stable a.txt 3", "removed a.txt");
    }

    @Test
    void movesWithinTheRootAreRenamesNotNewFiles() throws IOException {
        write(root.resolve("a.txt"), 1);
        write(root.resolve("d/x"), 2);
        write(root.resolve("d/y"), 3);
        Files.createDirectory(root.resolve("sub"));
        RecordingListener l = watch(spec());
        awaitExactly(l, "stable a.txt 1", "stable d/x 2", "stable d/y 3");

        Files.move(root.resolve("a.txt"), root.resolve("sub/moved.txt"));
        awaitLine(l, "renamed a.txt -> sub/moved.txt");
        Files.move(root.resolve("d"), root.resolve("e"));
        awaitLine(l, "renamed d/y -> e/y");
        write(root.resolve("e/z"), 4); // the moved folder is watched under its new name
        awaitExactly(l, "stable a.txt 1", "stable d/x 2", "stable d/y 3", "renamed a.txt -> sub/moved.txt",
                "renamed d/x -> e/x", "renamed d/y -> e/y", "stable e/z 4");
    }

    @Test
    void aDeletedRootIsAnErrorUntilItComesBack() throws IOException {
        Path a = write(root.resolve("a.txt"), 1);
        RecordingListener l = watch(spec());
        awaitLine(l, "stable a.txt 1");
        Files.delete(a);
        Files.delete(root);
        String problem = "watch folder " + root + " is missing or not a folder";
        awaitLine(l, "error " + problem);

        write(root.resolve("b.txt"), 2);
        awaitExactly(l, "stable a.txt 1", "error " + problem, "recovered " + problem, "removed a.txt",
                "stable b.txt 2");
    }

    @Test
    void aRootMovedAwayAndBackReportsNothingTwice() throws IOException {
        write(root.resolve("a.txt"), 1);
        RecordingListener l = watch(spec().withRescanEvery(Duration.ofMillis(200)));
        awaitLine(l, "stable a.txt 1");
        Path away = Files.move(root, tmp.resolve("away"));
        String problem = "watch folder " + root + " is missing or not a folder";
        awaitLine(l, "error " + problem);
        Files.move(away, root);
        awaitExactly(l, "stable a.txt 1", "error " + problem, "recovered " + problem);
    }

    @Test
    void anUnreadableFolderIsAnErrorUntilReadable() throws IOException {
        Path locked = Files.createDirectory(root.resolve("locked"));
        write(locked.resolve("f"), 1);
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        try {
            assumeFalse(Files.isReadable(locked), "running as root: permissions are not enforced");
            RecordingListener l = watch(spec().withRescanEvery(Duration.ofMillis(200)));
            String problem = "cannot read " + locked + ": permission denied";
            awaitLine(l, "error " + problem);
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwx------"));
            awaitExactly(l, "error " + problem, "recovered " + problem, "stable locked/f 1");
        } finally {
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    void closeIsIdempotentAndStopsEverything() throws IOException {
        RecordingListener l = new RecordingListener();
        FolderWatcher watcher = new FolderWatcher(spec(), timer, l);
        watcher.start();
        write(root.resolve("a.txt"), 1);
        awaitLine(l, "stable a.txt 1");
        watcher.close();
        watcher.close();
        write(root.resolve("b.txt"), 1);
        awaitExactly(l, "stable a.txt 1");
        await().atMost(LIMIT).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().equals("fff-watch " + root)));
    }

    @Test
    void symbolicLinksAndFoldersAreNotReported() throws IOException {
        Path target = write(tmp.resolve("outside/t.txt"), 1);
        Files.createSymbolicLink(root.resolve("link.txt"), target);
        Files.createSymbolicLink(root.resolve("linkdir"), target.getParent());
        Files.createDirectories(root.resolve("empty/folder"));
        RecordingListener l = watch(spec());
        write(root.resolve("real.txt"), 2);
        awaitExactly(l, "stable real.txt 2");
    }
}
