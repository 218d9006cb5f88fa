package fff.common.transcode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
}
