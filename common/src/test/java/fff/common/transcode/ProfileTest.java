package fff.common.transcode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fff.proto.MediaInfo;
import fff.proto.MediaStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProfileTest {

    private static MediaInfo imx(String timecode, String aspect) {
        return MediaInfo.newBuilder().setFormat("mxf").setDurationSeconds(4).setTimecode(timecode)
                .addStreams(MediaStream.newBuilder().setKind(MediaStream.Kind.VIDEO).setCodec("mpeg2video")
                        .setWidth(720).setHeight(608).setFrames(100).setFrameRate("25/1").setDisplayAspect(aspect))
                .addStreams(MediaStream.newBuilder().setKind(MediaStream.Kind.AUDIO).setChannels(4)).build();
    }

    @Test
    void imx30ReceiveArgsCarryTheSourcesTimecodeAndAspect() {
        List<String> args = Profiles.imx30(Map.of()).receiveArgs(imx("10:00:00:00", "16:9"));
        assertEquals("10:00:00:00", args.get(args.indexOf("-timecode") + 1));
        assertEquals("16:9", args.get(args.indexOf("-aspect") + 1));
        assertEquals("1200000", args.get(args.indexOf("-rc_init_occupancy") + 1));
    }

    @Test
    void aFlagWhoseValueIsEmptyIsLeftOutWithIt() {
        List<String> args = Profiles.imx30(Map.of()).receiveArgs(imx("", ""));
        assertFalse(args.contains("-timecode"), args.toString());
        assertFalse(args.contains("-aspect"), args.toString());
        assertTrue(args.contains("mpeg2video"));
    }

    @Test
    void optionsFillTheirPlaceholdersAndDefaultsTheRest() {
        Profile p = Profiles.imx30(Map.of("bitrate", "7M"));
        List<String> send = p.sendArgs(imx("", "4:3"));
        assertEquals("7M", send.get(send.indexOf("-b:v") + 1));
        assertEquals("veryfast", send.get(send.indexOf("-preset") + 1));
        assertEquals(List.of(), p.unfilled());
        assertEquals(List.of("{bitrate}"), new Profile("x", "mpegts", List.of("-b:v", "{bitrate}"), List.of(),
                "mp4", "mp4", Map.of()).unfilled());
    }

    @Test
    void theProxyCropsVbiOnlyFromImxAndScalesAtTheSourcesAspect() {
        Profile proxy = Profiles.proxy(Map.of("height", "288"));
        String imxFilter = filter(proxy.sendArgs(imx("", "4:3")));
        assertTrue(imxFilter.contains("crop=iw:ih-32:0:32,setdar=4/3,"), imxFilter);
        assertTrue(imxFilter.contains("h=288"), imxFilter);
        MediaInfo hd = MediaInfo.newBuilder().addStreams(MediaStream.newBuilder().setKind(MediaStream.Kind.VIDEO)
                .setWidth(1920).setHeight(1080)).build();
        String hdFilter = filter(proxy.sendArgs(hd));
        assertFalse(hdFilter.contains("crop"), hdFilter);
        assertTrue(hdFilter.contains("setdar=1920/1080,"), hdFilter);
    }

    private static String filter(List<String> args) {
        return args.get(args.indexOf("-vf") + 1);
    }

    @Test
    void theOutputNameTakesTheProfilesExtension() {
        Profile proxy = Profiles.proxy(Map.of());
        assertEquals("in/clip.mp4", proxy.outputPath("in/clip.mxf"));
        assertEquals("in/clip.mp4", proxy.outputPath("in/clip"));
        assertEquals("a.b/.hidden.mp4", proxy.outputPath("a.b/.hidden"));
        assertEquals("x.tar.mp4", proxy.outputPath("x.tar.gz"));
    }

    private static MediaInfo withAudio(String... codecs) {
        MediaInfo.Builder b = MediaInfo.newBuilder().setFormat("mpegts").addStreams(MediaStream.newBuilder()
                .setKind(MediaStream.Kind.VIDEO).setCodec("h264").setWidth(320).setHeight(240));
        for (String c : codecs) {
            b.addStreams(MediaStream.newBuilder().setKind(MediaStream.Kind.AUDIO).setCodec(c).setChannels(2));
        }
        return b.build();
    }

    @Test
    void matroskaKeepsTheAudioItHoldsAndMakesFlacOfTheRest() {
        assertEquals(List.of("-c:a:0", "copy", "-c:a:1", "flac", "-c:a:2", "copy", "-c:a:3", "flac"),
                MatroskaAudio.codecArgs(withAudio("aac", "s302m", "pcm_s24le", "")));
        assertEquals(List.of(), MatroskaAudio.codecArgs(withAudio()));
        assertTrue(MatroskaAudio.holds("opus") && MatroskaAudio.holds("mp3") && MatroskaAudio.holds("eac3"));
        assertFalse(MatroskaAudio.holds("s302m") || MatroskaAudio.holds("pcm_alaw"));
    }

    @Test
    void theMkvBuiltInsConvertTheFirstVideoAndEveryAudioStream() {
        Profile h265 = Profiles.h265Mkv(Map.of("crf", "30"));
        assertEquals(Profile.Placement.RECEIVER, h265.placement());
        assertTrue(h265.isWholeFile());
        List<String> args = h265.convertArgs(withAudio("aac", "s302m"));
        assertEquals(List.of("-map", "0:V:0", "-map", "0:a?", "-c:v", "libx265", "-crf", "30", "-preset", "medium",
                "-x265-params", "log-level=error", "-c:a:0", "copy", "-c:a:1", "flac"), args);
        List<String> silent = Profiles.h264Mkv(Map.of()).convertArgs(withAudio());
        assertEquals(List.of("-map", "0:V:0", "-map", "0:a?", "-c:v", "libx264", "-crf", "20", "-preset", "medium"),
                silent, "no audio, no audio codec arguments");
        assertEquals("a/clip.mkv", h265.outputPath("a/clip.mp4"));
        assertEquals(List.of(), h265.unfilled());
        Profile webp = Profiles.webp(Map.of("quality", "90"));
        List<String> still = webp.convertArgs(withAudio());
        assertEquals("90", still.get(still.indexOf("-quality") + 1));
        assertEquals("webp", webp.outputFormat());
        assertEquals("a/b.webp", webp.outputPath("a/b.png"));
    }

    @Test
    void aProfileIsEitherSplitOrWholeFile() {
        assertEquals(Profile.Placement.SPLIT, Profiles.imx30(Map.of()).placement());
        assertFalse(Profiles.proxy(Map.of()).isWholeFile());
        assertThrows(IllegalArgumentException.class, () -> Profile.wholeFile("x", Profile.Placement.SPLIT,
                List.of("-c", "copy"), "mp4", "mp4", Map.of()));
        assertThrows(IllegalArgumentException.class, () -> new Profile("x", Profile.Placement.SPLIT, "mpegts",
                List.of(), List.of(), List.of("-c", "copy"), "mp4", "mp4", Map.of(), ProfileLimits.NONE));
        assertThrows(IllegalArgumentException.class, () -> new Profile("x", Profile.Placement.SENDER, "mpegts",
                List.of("-c", "copy"), List.of(), List.of(), "mp4", "mp4", Map.of(), ProfileLimits.NONE));
        Profile whole = Profiles.h265Mkv(Map.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ProfileSides.send(null, whole, withAudio(), java.nio.file.Path.of("x"), null, null));
        assertEquals("profile h265-mkv converts whole files on the receiver (FileConversion); it has no sides",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new FileConversion(null, Profiles.proxy(Map.of()),
                withAudio(), java.nio.file.Path.of("a"), java.nio.file.Path.of("b")));
    }

    @Test
    void everyBuiltInIsKnownByNameWithItsOptions() {
        assertEquals(List.of("imx30", "proxy", "h265-mkv", "h264-mkv", "webp"),
                List.copyOf(Profiles.builtIns().names()));
        for (String name : Profiles.BUILT_IN) {
            assertTrue(Profiles.builtIn(name), name);
            assertEquals(Profiles.builtIn(name, Map.of()), Profiles.builtIns().get(name).orElseThrow());
            assertEquals(List.of(), Profiles.builtIn(name, Map.of()).unfilled(), name);
        }
        assertEquals(Map.of("crf", "28", "preset", "medium"), Profiles.builtInOptions("h265-mkv"));
        assertEquals(Map.of("crf", "20", "preset", "medium"), Profiles.builtInOptions("h264-mkv"));
        assertEquals(Map.of("quality", "80"), Profiles.builtInOptions("webp"));
        assertFalse(Profiles.builtIn("h266-mkv"));
    }
}
