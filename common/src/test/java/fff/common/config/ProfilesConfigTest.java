package fff.common.config;

import static fff.common.config.WatchRuleLoadTest.PEER_B;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fff.common.transcode.Profile;
import fff.common.transcode.ProfileLimits;
import fff.common.transcode.Profiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
        assertEquals(Profiles.BUILT_IN, List.copyOf(plain.profiles().names()));
        assertEquals(Profiles.BUILT_IN,
                List.copyOf(new NodeConfig(null, null, null, null, null, null, null).profiles().names()));
    }

    @Test
    void aRuleMustNameAKnownProfileAndNotMirror() throws IOException {
        assertEquals("watch[0].profile: unknown profile 'imx50' (profiles: imx30, proxy, h265-mkv, h264-mkv, "
                + "webp)",
                error(PEER_B + "watch: [{path: /out, to: b, profile: imx50}]\n"));
        assertEquals("watch[0].profile: unknown profile 'mvk' (profiles: imx30, proxy, h265-mkv, h264-mkv, webp, "
                + "mkv)",
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
                + "(options: audio-bitrate, bitrate, height, preset; limits: max-size, max-duration, inputs)",
                error("profiles: {proxy: {width: 640}}\n"));
        assertEquals("profiles.imx30.send: unknown option of the built-in profile imx30 (options: bitrate, preset; "
                + "limits: max-size, max-duration, inputs)", error("profiles: {imx30: {send: [-c, copy]}}\n"));
        assertEquals("profiles.webp.runs-on: unknown option of the built-in profile webp (options: quality; "
                + "limits: max-size, max-duration, inputs)", error("profiles: {webp: {runs-on: sender}}\n"));
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
        assertEquals(List.of("imx30", "proxy", "h265-mkv", "h264-mkv", "webp", "mkv"),
                List.copyOf(c.profiles().names()));
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
        assertEquals("profiles.x.sned: unknown key (known: runs-on, wire, send, receive, convert, output, expect, "
                + "options, max-size, max-duration, inputs)",
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

    @Test
    void builtInsTakeLimitsBesideTheirOptions() throws Exception {
        Profile h265 = profile("""
                profiles:
                  h265-mkv: {crf: 26, preset: fast, max-size: 20G, max-duration: 2h, inputs: [mxf, mov]}
                """, "h265-mkv");
        assertEquals(Profiles.h265Mkv(Map.of("crf", "26", "preset", "fast"))
                .withLimits(new ProfileLimits(20L << 30, Duration.ofHours(2), List.of("mxf", "mov"))), h265);
        assertEquals(Profile.Placement.RECEIVER, h265.placement());

        Profile h264 = profile("profiles: {h264-mkv: {max-size: 500M}}\n", "h264-mkv");
        assertEquals(500L << 20, h264.limits().maxSize());
        assertEquals(Profiles.VIDEO_INPUTS, h264.limits().inputs(), "inputs keep their default");

        Profile webp = profile("profiles: {webp: {quality: 90, max-size: off, inputs: png}}\n", "webp");
        assertEquals(new ProfileLimits(0, Duration.ZERO, List.of("png")), webp.limits());
        assertEquals(Profiles.webp(Map.of("quality", "90")).convert(), webp.convert());
        assertEquals(List.of(), profile("profiles: {webp: {inputs: off}}\n", "webp").limits().inputs());
        Profile proxy = profile("profiles: {proxy: {height: 540, max-duration: 10m}}\n", "proxy");
        assertEquals(Duration.ofMinutes(10), proxy.limits().maxDuration());
        assertEquals("540", proxy.expect().get("height"));
    }

    @Test
    void maxDurationIsADurationOrSeconds() throws Exception {
        for (var c : Map.of("2h", Duration.ofHours(2), "90m", Duration.ofMinutes(90), "3600s",
                Duration.ofHours(1), "5400", Duration.ofMinutes(90), "1h30m", Duration.ofMinutes(90)).entrySet()) {
            assertEquals(c.getValue(), profile("profiles: {h265-mkv: {max-duration: " + c.getKey() + "}}\n",
                    "h265-mkv").limits().maxDuration(), c.getKey());
        }
        assertEquals(Duration.ZERO, profile("profiles: {h265-mkv: {max-duration: off}}\n", "h265-mkv")
                .limits().maxDuration());
    }

    @Test
    void badLimitsAreRefusedNamingTheirKey() throws IOException {
        assertEquals("profiles.webp.max-size: 'lots' is not a size (e.g. 0, 500M, 1G, 10GiB)",
                error("profiles: {webp: {max-size: lots}}\n"));
        assertEquals("profiles.webp.max-size: '0' refuses every file; off for no limit",
                error("profiles: {webp: {max-size: 0}}\n"));
        assertEquals("profiles.h265-mkv.max-duration: '2 hours' is not a duration (e.g. 45s, 30m, 12h, 7d, 1h30m)",
                error("profiles: {h265-mkv: {max-duration: 2 hours}}\n"));
        assertEquals("profiles.h265-mkv.max-duration: '0' refuses every file; off for no limit",
                error("profiles: {h265-mkv: {max-duration: 0}}\n"));
        assertEquals("profiles.webp.inputs[1]: 'JPEG files' is not a format or codec name as ffprobe gives it "
                + "(e.g. mov, mxf, png)", error("profiles: {webp: {inputs: [png, JPEG files]}}\n"));
        assertEquals("profiles.x.max-size: 'big' is not a size (e.g. 0, 500M, 1G, 10GiB)", error("""
                profiles:
                  x: {send: [], receive: [], output: {format: mp4, extension: mp4}, max-size: big}
                """));
    }

    @Test
    void aProfileDefinedInFullMayRunOnTheReceiverOrTheSender() throws Exception {
        NodeConfig c = load(PEER_B + """
                profiles:
                  prores:
                    runs-on: receiver
                    convert: [-map, "0:V:0", -c:v, prores_ks, -profile:v, "{profile}", -c:a, copy]
                    output: {format: mov, extension: mov}
                    expect: {frames: source}
                    options: {profile: "3"}
                    max-size: 500G
                    max-duration: 90m
                    inputs: [mxf]
                  small:
                    runs-on: sender
                    convert: [-vf, "scale=-2:360", -c:v, libx264]
                    output: {format: mp4, extension: mp4}
                watch: [{path: /out, to: b, profile: prores}]
                """);
        Profile prores = c.profiles().get("prores").orElseThrow();
        assertEquals(Profile.wholeFile("prores", Profile.Placement.RECEIVER,
                        List.of("-map", "0:V:0", "-c:v", "prores_ks", "-profile:v", "3", "-c:a", "copy"), "mov", "mov",
                        Map.of("frames", "source"))
                .withLimits(new ProfileLimits(500L << 30, Duration.ofMinutes(90), List.of("mxf"))), prores);
        assertEquals("", prores.wireFormat());
        Profile small = c.profiles().get("small").orElseThrow();
        assertEquals(Profile.Placement.SENDER, small.placement());
        assertEquals(ProfileLimits.NONE, small.limits());
        assertEquals(Profile.Placement.SPLIT, profile(MKV, "mkv").placement(), "split by default");
        assertEquals(Profile.Placement.SPLIT, profile(MKV.replace("    send:", "    runs-on: split\n    send:"), "mkv")
                .placement());
    }

    @Test
    void aWholeFileProfileHasConvertAndASplitOneHasSendAndReceive() throws IOException {
        String output = "    output: {format: mkv, extension: mkv}\n";
        assertEquals("profiles.x.runs-on: 'both' is not split, receiver or sender",
                error("profiles:\n  x:\n    runs-on: both\n    convert: []\n" + output));
        assertEquals("profiles.x.convert: required (the receiver's ffmpeg output options, a list like "
                + "[-c:v, libx265, -c:a, copy])", error("profiles:\n  x:\n    runs-on: receiver\n" + output));
        assertEquals("profiles.x.send: not for a profile that runs on the sender (one ffmpeg converts the whole "
                + "file); give its output options as convert",
                error("profiles:\n  x:\n    runs-on: sender\n    send: [-c, copy]\n    convert: []\n" + output));
        assertEquals("profiles.x.wire: not for a profile that runs on the receiver (one ffmpeg converts the whole "
                + "file); give its output options as convert",
                error("profiles:\n  x:\n    runs-on: receiver\n    wire: nut\n    convert: []\n" + output));
        assertEquals("profiles.x.convert: only for a profile that runs on the receiver or the sender (runs-on); "
                + "one that runs split has send and receive",
                error("profiles:\n  x:\n    send: []\n    receive: []\n    convert: []\n" + output));
        assertEquals("profiles.x.output: required ({format: F, extension: E})",
                error("profiles:\n  x:\n    runs-on: receiver\n    convert: [-c, copy]\n"));
        assertEquals("profiles.x: no value for {crf}; set it under profiles.x.options",
                error("profiles:\n  x:\n    runs-on: receiver\n    convert: [-crf, \"{crf}\"]\n" + output));
    }
}
