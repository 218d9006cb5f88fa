package fff.common.config;

import static fff.common.config.WatchRuleLoadTest.PEER_B;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fff.common.transcode.Profile;
import fff.common.transcode.Profiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code profiles:}, {@code ffmpeg:} and {@code watch[i].profile}: what loads, and what is refused. */
class ProfilesConfigTest {

    /** A profile defined in full, with one option. */
    static final String MKV = """
            profiles:
              mkv:
                send: [-c:v, libx264, -crf, "{crf}", -c:a, aac]
                receive: [-c, copy]
                output: {format: matroska, extension: mkv}
                expect: {video-codec: h264, frames: source}
                options: {crf: 20}
            """;

    @TempDir
    Path dir;

    private NodeConfig load(String yaml) throws Exception {
        return ConfigFiles.load(dir, yaml);
    }

    private String error(String yaml) throws IOException {
        return ConfigFiles.error(dir, yaml);
    }

    private Profile profile(String yaml, String name) throws Exception {
        return load(yaml).profiles().get(name).orElseThrow();
    }

    @Test
    void aRuleWithABuiltInProfileLoadsAndNeedsFfmpeg() throws Exception {
        NodeConfig c = load(PEER_B + "watch: [{path: /out, to: \"b:in\", profile: imx30}]\n");
        assertEquals("imx30", c.watch().get(0).profile());
        assertTrue(c.needsFfmpeg());
        assertEquals(Profiles.builtIns().get("imx30"), c.profiles().get("imx30"));
        assertNull(c.ffmpegPath(), "search PATH");

        NodeConfig plain = load(PEER_B + "watch: [{path: /out, to: b}]\n");
        assertNull(plain.watch().get(0).profile());
        assertFalse(plain.needsFfmpeg());
        assertEquals(List.of("imx30", "proxy"), List.copyOf(plain.profiles().names()));
        assertEquals(List.of("imx30", "proxy"),
                List.copyOf(new NodeConfig(null, null, null, null, null, null, null).profiles().names()));
    }

    @Test
    void aRuleMustNameAKnownProfileAndNotMirror() throws IOException {
        assertEquals("watch[0].profile: unknown profile 'imx50' (profiles: imx30, proxy)",
                error(PEER_B + "watch: [{path: /out, to: b, profile: imx50}]\n"));
        assertEquals("watch[0].profile: unknown profile 'mvk' (profiles: imx30, proxy, mkv)",
                error(PEER_B + MKV + "watch: [{path: /out, to: b, profile: mvk}]\n"));
        assertEquals("watch[0].mirror: mirror is not supported with profile yet (profile 'proxy')",
                error(PEER_B + "watch: [{path: /out, to: b, profile: proxy, mirror: [deletes]}]\n"));
        assertEquals("watch[0].profile: empty; leave it out for a plain copy",
                error(PEER_B + "watch: [{path: /out, to: b, profile: \" \"}]\n"));
    }

    @Test
    void builtInOptionsOverrideTheDefaults() throws Exception {
        Profile proxy = profile("profiles: {proxy: {height: 540, bitrate: 2M}}\n", "proxy");
        assertTrue(proxy.send().stream().anyMatch(a -> a.contains(",scale=w=trunc(oh*dar/2)*2:h=540,")),
                proxy.send().toString());
        assertTrue(proxy.send().contains("2M"), proxy.send().toString());
        assertTrue(proxy.send().contains("128k"), "audio-bitrate keeps its default: " + proxy.send());
        assertEquals("540", proxy.expect().get("height"));
        assertEquals(Profiles.proxy(Map.of("height", "540", "bitrate", "2M")), proxy);

        assertEquals(Profiles.builtIns().get("proxy").orElseThrow(), profile("profiles: {proxy:}\n", "proxy"),
                "no options: the defaults");
        Profile imx = profile("profiles: {imx30: {preset: fast}}\n", "imx30");
        assertTrue(imx.send().contains("fast"), imx.send().toString());
    }

    @Test
    void aBuiltInTakesItsOwnOptionsOnly() throws IOException {
        assertEquals("profiles.proxy.width: unknown option of the built-in profile proxy "
                + "(options: audio-bitrate, bitrate, height, preset)", error("profiles: {proxy: {width: 640}}\n"));
        assertEquals("profiles.imx30.send: unknown option of the built-in profile imx30 (options: bitrate, preset)",
                error("profiles: {imx30: {send: [-c, copy]}}\n"));
        assertEquals("profiles.proxy.height: expected a single value, not a list",
                error("profiles: {proxy: {height: [540]}}\n"));
        assertEquals("profiles.proxy: expected a mapping of keys, not '540'", error("profiles: {proxy: 540}\n"));
    }

    @Test
    void aProfileDefinedInFullLoadsWithItsOptionsFilledIn() throws Exception {
        NodeConfig c = load(PEER_B + MKV + "watch: [{path: /out, to: b, profile: mkv}]\n");
        Profile mkv = c.profiles().get("mkv").orElseThrow();
        assertEquals(new Profile("mkv", "mpegts", List.of("-c:v", "libx264", "-crf", "20", "-c:a", "aac"),
                List.of("-c", "copy"), "matroska", "mkv", Map.of("video-codec", "h264", "frames", "source")), mkv);
        assertEquals("a/clip.mkv", mkv.outputPath("a/clip.mxf"));
        assertEquals(List.of("imx30", "proxy", "mkv"), List.copyOf(c.profiles().names()));
        assertEquals("mkv", c.watch().get(0).profile());

        Profile nut = profile("""
                profiles:
                  nut:
                    wire: nut
                    send: [-c, copy, -timecode, "{timecode}"]
                    receive: []
                    output: {format: mxf, extension: mxf}
                """, "nut");
        assertEquals("nut", nut.wireFormat());
        assertEquals(List.of("-c", "copy", "-timecode", "{timecode}"), nut.send(), "per-source, filled per job");
        assertEquals(List.of(), nut.receive());
        assertEquals(Map.of(), nut.expect());
    }

    @Test
    void aDefinitionNeedsSendReceiveAndOutput() throws IOException {
        String send = "    send: [-c, copy]\n";
        String receive = "    receive: [-c, copy]\n";
        String output = "    output: {format: mp4, extension: mp4}\n";
        assertEquals("profiles.x.send: required (the sending ffmpeg's output options, a list like [-c:v, libx264])",
                error("profiles:\n  x:\n" + receive + output));
        assertEquals("profiles.x.receive: required (the receiving ffmpeg's output options, a list like [-c, copy])",
                error("profiles:\n  x:\n" + send + output));
        assertEquals("profiles.x.output: required ({format: F, extension: E})",
                error("profiles:\n  x:\n" + send + receive));
        assertEquals("profiles.x.output.extension: required (of the stored file, e.g. mp4)",
                error("profiles:\n  x:\n" + send + receive + "    output: {format: mp4}\n"));
        assertEquals("profiles.x.output.extension: '.mp4' is not a file extension (letters and digits, without "
                + "the dot)", error("profiles:\n  x:\n" + send + receive + "    output: {format: mp4, extension: .mp4}\n"));
        assertEquals("profiles.x.send: required (the sending ffmpeg's output options, a list like [-c:v, libx264])",
                error("profiles: {x:}\n"));
        assertEquals("profiles.x.sned: unknown key (known: wire, send, receive, output, expect, options)",
                error("profiles:\n  x:\n    sned: []\n"));
        assertEquals("profiles.x y: a profile name may only have letters, digits, '.', '_' and '-'",
                error("profiles: {\"x y\": {}}\n"));
    }

    @Test
    void expectationsAreOnesTheCheckKnows() throws IOException {
        String head = "profiles:\n  x:\n    send: [-c, copy]\n    receive: [-c, copy]\n"
                + "    output: {format: mp4, extension: mp4}\n";
        assertEquals("profiles.x.expect.hieght: unknown key (known: aspect, audio-channels, duration, field-order, "
                + "format, frames, height, pix-fmt, timecode, video-bitrate, video-codec, width)",
                error(head + "    expect: {hieght: 540}\n"));
        assertEquals("profiles.x.expect.frames: 'all' is not a whole number or source",
                error(head + "    expect: {frames: all}\n"));
        assertEquals("profiles.x.expect.video-bitrate: '8M' is not a whole number",
                error(head + "    expect: {video-bitrate: 8M}\n"));
    }

    @Test
    void everyPlaceholderNeedsAValue() throws IOException {
        assertEquals("profiles.x: no value for {crf}, {height}; set it under profiles.x.options", error("""
                profiles:
                  x:
                    send: [-crf, "{crf}", -aspect, "{aspect}"]
                    receive: [-c, copy]
                    output: {format: mp4, extension: mp4}
                    expect: {height: "{height}"}
                    options: {bitrate: 1M}
                """));
    }

    @Test
    void ffmpegPathIsAFolderRelativeToTheFile() throws Exception {
        assertEquals(Path.of("/usr/bin"), load("ffmpeg: {path: /usr/bin}\n").ffmpegPath());
        assertEquals(dir.resolve("tools/ffmpeg").toAbsolutePath(), load("ffmpeg: {path: tools/ffmpeg}\n").ffmpegPath());
        assertNull(load("ffmpeg:\n").ffmpegPath());
        assertEquals("ffmpeg.bin: unknown key (known: path)", error("ffmpeg: {bin: /usr/bin/ffmpeg}\n"));
        Files.writeString(dir.resolve("ffmpeg"), "#!/bin/sh\n");
        assertEquals("ffmpeg.path: 'ffmpeg' is a file, not the folder holding ffmpeg and ffprobe",
                error("ffmpeg: {path: ffmpeg}\n"));
    }
}
