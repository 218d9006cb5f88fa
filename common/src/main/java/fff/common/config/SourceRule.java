package fff.common.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One entry of the {@code sources:} list: a folder on an FTP server that is polled for new files, which are
 * pulled into a local staging folder, verified, and then sent on like a watched file (to a peer, another FTP
 * server or a local folder). A remote file is taken once its size and time are unchanged across two polls; the
 * same unchanged file is never pulled twice.
 *
 * <p>Errors from the constructor name the key inside the entry; the config reader prefixes {@code sources[i].}.
 *
 * @param name          key {@code name}: the source's identity in the job journal, unique among watch rules and
 *                      sources. Default (when null): the URL as written, without password
 * @param ftp           key {@code ftp} (required) with {@code password-env}, {@code password-file},
 *                      {@code ca-file}, {@code active}
 * @param include       key {@code include}: globs matched against the file's '/'-separated path below the folder.
 *                      Default (when null) every file
 * @param exclude       key {@code exclude}: globs; a matching file is skipped. Default none
 * @param recursive     key {@code recursive}: also poll sub-folders. Default false (each level costs a listing)
 * @param poll          key {@code poll}: time between listings, at least 1s. Default {@link #DEFAULT_POLL} (10s)
 * @param singleSession key {@code single-session}: never open a second connection to this server while one is
 *                      open (devices that allow one login): listing and pulls take turns. Default false
 * @param staging       key {@code staging}: local folder pulled files wait in until they are sent on. Default
 *                      (when null): {@code HOME/staging/NAME}, filled in by the node
 * @param group         key {@code group}: the group of the jobs that send pulled files on. Default: the first
 *                      root group
 * @param to            key {@code to}: where pulled files go, {@code DEST:subpath}; required
 * @param after         key {@code after}: what happens to the file on the server once the whole relay is
 *                      verified: {@code keep}, {@code delete} or {@code move:DIR} (DIR a folder on the server,
 *                      relative to the source folder unless it starts with '/'). Default keep
 * @param priority      key {@code priority}: higher is queued first. Default 0
 * @param profile       key {@code profile}: transcode profile on the way onward (any destination)
 */
public record SourceRule(
        String name,
        FtpLocation ftp,
        List<String> include,
        List<String> exclude,
        boolean recursive,
        Duration poll,
        boolean singleSession,
        Path staging,
        String group,
        Route to,
        After after,
        int priority,
        String profile) {

    public static final Duration DEFAULT_POLL = Duration.ofSeconds(10);

    public SourceRule {
        if (ftp == null) {
            throw new IllegalArgumentException("ftp: required (ftp://user@host/folder)");
        }
        if (to == null) {
            throw new IllegalArgumentException("to: required (DEST:subpath)");
        }
        name = name == null ? ftp.toString() : name;
        if (name.isBlank()) {
            throw new IllegalArgumentException("name: empty");
        }
        include = include == null ? WatchRule.DEFAULT_INCLUDE : List.copyOf(include);
        exclude = exclude == null ? List.of() : List.copyOf(exclude);
        if (include.isEmpty()) {
            throw new IllegalArgumentException("include: an empty list matches no file; leave it out for every file");
        }
        WatchRule.checkGlobs("include", include);
        WatchRule.checkGlobs("exclude", exclude);
        poll = poll == null ? DEFAULT_POLL : poll;
        if (poll.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("poll: '" + Durations.format(poll) + "' is under 1s");
        }
        after = after == null ? After.KEEP : after;
        if (after.dir() != null && !after.dir().isAbsolute()) {
            after = After.move(Path.of(ftp.resolve(after.dir().toString())));
        }
        if (after.dir() != null && Path.of(ftp.dir()).equals(after.dir())) {
            throw new IllegalArgumentException("after: '" + after + "' is the polled folder itself");
        }
        if (after.dir() != null && recursive && after.dir().startsWith(Path.of(ftp.dir()))) {
            throw new IllegalArgumentException("after: '" + after + "' is inside the polled folder " + ftp.dir()
                    + " (recursive); the files would be pulled again");
        }
        if (profile != null && profile.isBlank()) {
            throw new IllegalArgumentException("profile: empty; leave it out for a plain copy");
        }
    }

    /** This source with its group and staging folder set; {@link NodeConfig} and the node fill them in. */
    public SourceRule with(String group, Path staging) {
        return new SourceRule(name, ftp, include, exclude, recursive, poll, singleSession, staging, group, to, after,
                priority, profile);
    }
}
