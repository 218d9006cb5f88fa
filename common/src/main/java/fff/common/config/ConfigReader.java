package fff.common.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import fff.common.identity.NodeId;
import fff.common.rate.RateSchedule;
import fff.common.schedule.GroupTree;
import fff.common.transcode.Profiles;
import fff.common.wire.HostPort;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Maps a YAML config file onto {@link NodeConfig} by hand, key by key, so that every error names the full key
 * and the value found there. Relative paths are resolved against the directory of the file. Sections
 * {@code node}, {@code web}, {@code destinations}, {@code receive}, {@code jobs} and {@code ffmpeg} are read
 * here, {@code groups} by {@link GroupsReader}, {@code watch} by {@link WatchReader} and {@code profiles} by
 * {@link ProfilesReader}; {@code sources} here too (it shares the ftp keys of destinations).
 */
final class ConfigReader {

    private static final YAMLMapper YAML =
            YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private static final List<String> TOP =
            List.of("node", "web", "groups", "destinations", "receive", "watch", "sources", "jobs", "profiles",
                    "ffmpeg");
    private static final List<String> SOURCE = List.of("name", "ftp", "password-env", "password-file", "ca-file",
            "active", "include", "exclude", "recursive", "poll", "single-session", "staging", "group", "to", "after",
            "priority", "profile");
    private static final List<String> NODE = List.of("home", "listen", "plain", "rate");
    private static final List<String> WEB = List.of("listen");
    private static final List<String> RECEIVE =
            List.of("root", "allow", "allow-any", "reserve", "stale-partials", "group", "convert");
    private static final List<String> CONVERT = List.of("limit", "store-max", "store-age");
    private static final List<String> JOBS =
            List.of("attempts", "backoff", "backoff-max", "history", "checkpoint-every");
    private static final List<String> FFMPEG = List.of("path");
    private static final List<String> DESTINATION =
            List.of("peer", "id", "plain", "connections", "congestion", "ftp", "password-env", "password-file",
                    "ca-file", "active", "local", "rate");
    private static final List<String> FTP_ONLY = List.of("password-env", "password-file", "ca-file", "active");

    private final Path base;

    private ConfigReader(Path base) {
        this.base = base;
    }

    static NodeConfig read(Path file) throws ConfigException {
        JsonNode document = parse(file);
        Path absolute = file.toAbsolutePath().normalize();
        try {
            return new ConfigReader(absolute.getParent()).config(YamlMapping.root(document));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file + ": " + e.getMessage(), e);
        }
    }

    private static JsonNode parse(Path file) throws ConfigException {
        byte[] text;
        try {
            text = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such config file", e);
        } catch (AccessDeniedException e) {
            throw new ConfigException(file + ": cannot read config file: permission denied", e);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read config file: " + e.getMessage(), e);
        }
        try {
            return YAML.readTree(text);
        } catch (IOException e) {
            throw new ConfigException(file + syntaxError(e), e);
        }
    }

    /** {@code " line N: not valid YAML: PROBLEM"} on one line, from SnakeYAML's marks when it has them. */
    private static String syntaxError(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            // Jackson's own location can be the start of the enclosing node; SnakeYAML marks the problem itself.
            if (t instanceof MarkedYAMLException yaml && yaml.getProblemMark() != null && yaml.getProblem() != null) {
                String context = yaml.getContext() == null ? "" : " (" + yaml.getContext().strip() + ")";
                return " line " + (yaml.getProblemMark().getLine() + 1) + ": not valid YAML: "
                        + yaml.getProblem().strip() + context;
            }
        }
        JsonLocation at = e instanceof JsonProcessingException j ? j.getLocation() : null;
        String where = at != null && at.getLineNr() > 0 ? " line " + at.getLineNr() : "";
        String original = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        String message = original == null ? "syntax error" : original.strip();
        int newline = message.indexOf('\n');
        return where + ": not valid YAML: " + (newline < 0 ? message : message.substring(0, newline));
    }

    private NodeConfig config(YamlMapping top) {
        top.checkKeys(TOP, List.of());
        NodeSection node = node(top.mapping("node"));
        WebSection web = web(top.mapping("web"));
        GroupTree groups = GroupsReader.read(top.mapping("groups"));
        Map<String, Destination> destinations = destinations(top.mapping("destinations"), node);
        ReceiveSection receive = top.has("receive") ? receive(top.mapping("receive")) : null;
        List<WatchRule> watch = new WatchReader(base).read(top.mappings("watch"));
        List<SourceRule> sources = sources(top.mappings("sources"));
        JobsSection jobs = jobs(top.mapping("jobs"));
        Profiles profiles = ProfilesReader.read(top.mapping("profiles"));
        Path ffmpeg = ffmpeg(top.mapping("ffmpeg"));
        return new NodeConfig(node, web, receive, destinations, groups, watch, sources, jobs, profiles, ffmpeg);
    }

    /** {@code ffmpeg.path}, the folder holding ffmpeg and ffprobe; whether they run is the node's check. */
    private Path ffmpeg(YamlMapping m) {
        m.checkKeys(FFMPEG, List.of());
        Path path = path(m, "path");
        if (path != null && Files.exists(path) && !Files.isDirectory(path)) {
            throw new IllegalArgumentException(m.key("path") + ": '" + m.text("path")
                    + "' is a file, not the folder holding ffmpeg and ffprobe");
        }
        return path;
    }

    private NodeSection node(YamlMapping m) {
        m.checkKeys(NODE, List.of());
        return new NodeSection(path(m, "home"), hostPort(m, "listen"), m.bool("plain", false), rate(m));
    }

    /** Key {@code rate}: one rate, or a list of schedule lines; null when absent. YAML reads {@code off} as false. */
    private static RateSchedule rate(YamlMapping m) {
        if (m.isFalse("rate")) {
            return RateSchedule.UNLIMITED;
        }
        List<String> lines = m.textOrTexts("rate");
        return lines == null ? null : RateSchedule.parse(m.key("rate"), lines, m.isList("rate"));
    }

    private WebSection web(YamlMapping m) {
        m.checkKeys(WEB, List.of());
        return new WebSection(hostPort(m, "listen"));
    }

    private ReceiveSection receive(YamlMapping m) {
        m.checkKeys(RECEIVE, List.of());
        String reserve = m.text("reserve");
        return new ReceiveSection(
                path(m, "root"),
                m.texts("allow"),
                m.bool("allow-any", false),
                reserve == null ? ReceiveSection.DEFAULT_RESERVE : ByteSize.parse(m.key("reserve"), reserve),
                m.duration("stale-partials"),
                m.text("group"),
                convert(m.mapping("convert")));
    }

    private static ConvertSection convert(YamlMapping m) {
        m.checkKeys(CONVERT, List.of());
        String max = m.text("store-max");
        int limit = m.integer("limit", 0);
        if (m.has("limit") && limit < 1) {
            throw new IllegalArgumentException(m.key("limit") + ": '" + limit + "' must be at least 1");
        }
        return new ConvertSection(limit,
                max == null ? ConvertSection.DEFAULT_STORE_MAX : ByteSize.parse(m.key("store-max"), max),
                m.duration("store-age"));
    }

    private static JobsSection jobs(YamlMapping m) {
        m.checkKeys(JOBS, List.of());
        return new JobsSection(
                m.integer("attempts", JobsSection.DEFAULT_ATTEMPTS),
                m.duration("backoff"),
                m.duration("backoff-max"),
                m.duration("history"),
                m.integer("checkpoint-every", JobsSection.DEFAULT_CHECKPOINT_EVERY));
    }

    private Map<String, Destination> destinations(YamlMapping all, NodeSection node) {
        Map<String, Destination> out = new LinkedHashMap<>();
        for (String name : all.names()) {
            out.put(name, destination(name, all.mapping(name), node));
        }
        return out;
    }

    private Destination destination(String name, YamlMapping m, NodeSection node) {
        m.checkKeys(DESTINATION, List.of());
        HostPort peer = hostPort(m, "peer");
        FtpLocation ftp = ftp(m);
        Path local = path(m, "local");
        if (peer == null && (ftp != null || local != null)) {
            for (String peerOnly : List.of("plain", "connections", "congestion")) {
                if (m.has(peerOnly)) {
                    throw new IllegalArgumentException(
                            m.key(peerOnly) + ": only a peer destination has " + peerOnly);
                }
            }
        }
        String id = m.text("id");
        return new Destination(
                name,
                peer,
                id == null ? null : nodeId(m.key("id"), id),
                m.bool("plain", node.plain()),
                connections(m),
                ftp,
                local,
                m.text("congestion"),
                rate(m));
    }

    /** Key {@code connections}: a number of at least 1, or {@code auto} (the default). */
    private static int connections(YamlMapping m) {
        if (!m.has("connections") || "auto".equals(m.text("connections"))) {
            return Destination.AUTO_CONNECTIONS;
        }
        int n = m.integer("connections", Destination.AUTO_CONNECTIONS);
        if (n < 1) {
            throw new IllegalArgumentException(m.key("connections") + ": '" + n + "' must be at least 1, or auto");
        }
        return n;
    }

    /** Key {@code ftp} with its {@code password-env}, {@code password-file}, {@code ca-file}, {@code active}. */
    FtpLocation ftp(YamlMapping m) {
        String url = m.text("ftp");
        if (url == null) {
            for (String ftpOnly : FTP_ONLY) {
                if (m.has(ftpOnly)) {
                    throw new IllegalArgumentException(m.key(ftpOnly) + ": only an ftp folder has " + ftpOnly);
                }
            }
            return null;
        }
        return FtpLocation.parse(m.key("ftp"), url, m.text("password-env"), path(m, "password-file"),
                path(m, "ca-file"), m.bool("active", false));
    }

    private List<SourceRule> sources(List<YamlMapping> entries) {
        List<SourceRule> out = new ArrayList<>(entries.size());
        for (YamlMapping m : entries) {
            m.checkKeys(SOURCE, List.of());
            FtpLocation ftp = ftp(m);
            if (ftp == null) {
                throw new IllegalArgumentException(m.key("ftp") + ": required (ftp://user@host/folder)");
            }
            String to = m.text("to");
            if (to == null) {
                throw new IllegalArgumentException(
                        m.key("to") + ": required (DEST:subpath, DEST a name in destinations)");
            }
            Route route = Route.parse(m.key("to"), to);
            After after = remoteAfter(m);
            try {
                out.add(new SourceRule(m.text("name"), ftp, m.texts("include"), m.texts("exclude"),
                        m.bool("recursive", false), m.duration("poll"), m.bool("single-session", false),
                        path(m, "staging"), m.text("group"), route, after, m.integer("priority", 0),
                        m.text("profile")));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(m.key(e.getMessage()), e);
            }
        }
        return out;
    }

    /** A source's {@code after}: {@code move:DIR} names a folder on the server, not resolved locally. */
    private static After remoteAfter(YamlMapping m) {
        String text = m.text("after");
        String s = text == null ? "keep" : text.strip();
        if (s.equals("keep") || s.equals("delete")) {
            return s.equals("keep") ? After.KEEP : After.DELETE;
        }
        String dir = s.startsWith("move:") ? s.substring("move:".length()).strip() : "";
        if (dir.isEmpty() || dir.contains("..")) {
            throw new IllegalArgumentException(m.key("after") + ": '" + text
                    + "' is not keep, delete or move:DIR (a folder on the server, without '..')");
        }
        return After.move(Path.of(dir));
    }

    private Path path(YamlMapping m, String name) {
        String text = m.text(name);
        return text == null ? null : resolve(base, m.key(name), text);
    }

    /** {@code text}, the value of {@code key}, as a path resolved against {@code base} and normalized. */
    static Path resolve(Path base, String key, String text) {
        if (text.isBlank()) {
            throw new IllegalArgumentException(key + ": empty path");
        }
        try {
            return base.resolve(text).normalize();
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException(key + ": '" + text + "' is not a path: " + e.getReason(), e);
        }
    }

    private static HostPort hostPort(YamlMapping m, String name) {
        String text = m.text(name);
        if (text == null) {
            return null;
        }
        try {
            return HostPort.parse(text);
        } catch (IllegalArgumentException e) {
            String why = e.getMessage();
            throw new IllegalArgumentException(
                    m.key(name) + ": " + (why.contains("'" + text + "'") ? why : "'" + text + "': " + why), e);
        }
    }

    private static NodeId nodeId(String key, String text) {
        try {
            return NodeId.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
        }
    }
}
