package fff.common.transcode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fff.proto.MediaInfo;
import fff.proto.MediaStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OutputCheckTest {

    private static MediaInfo media(String format, long frames, double seconds, int channels, String tc) {
        return MediaInfo.newBuilder().setFormat(format).setDurationSeconds(seconds).setTimecode(tc)
                .addStreams(MediaStream.newBuilder().setKind(MediaStream.Kind.VIDEO).setCodec("mpeg2video")
                        .setPixFmt("yuv422p").setWidth(720).setHeight(608).setFieldOrder("tt").setFrameRate("25/1")
                        .setFrames(frames).setDisplayAspect("4:3").setBitRate(30_000_000))
                .addStreams(MediaStream.newBuilder().setKind(MediaStream.Kind.AUDIO).setChannels(channels)).build();
    }

    private final MediaInfo source = media("mxf", 100, 4.0, 8, "10:00:00:00");
    private final Map<String, String> imx30 = Profiles.imx30(Map.of()).expect();

    @Test
    void anImx30ResultLikeItsSourcePasses() {
        assertEquals(List.of(), OutputCheck.problems(imx30, source, media("mxf", 100, 4.02, 8, "10:00:00:00")));
    }

    @Test
    void aTruncatedResultIsCaughtByFramesAndDuration() {
        List<String> p = OutputCheck.problems(imx30, source, media("mxf", 15, 0.6, 8, "10:00:00:00"));
        assertTrue(p.contains("video has 15 frames, the source 100"), p.toString());
        assertTrue(p.contains("duration is 0.600 s, the source 4.000 s"), p.toString());
        assertEquals(2, p.size(), p.toString());
    }

    @Test
    void lostChannelsTimecodeAndWrongFormatAreNamed() {
        List<String> p = OutputCheck.problems(imx30, source, media("mov,mp4", 100, 4.0, 2, "00:00:00:00"));
        String all = String.join("; ", p);
        assertTrue(all.contains("audio has 2 channels, expected 8"), all);
        assertTrue(all.contains("start timecode is '00:00:00:00', the source '10:00:00:00'"), all);
        assertTrue(all.contains("format is mov,mp4, expected mxf"), all);
    }

    @Test
    void videoFieldsAreComparedWithTheExpectationOrTheSource() {
        MediaInfo out = MediaInfo.newBuilder(media("mxf", 100, 4.0, 8, "")).setStreams(0,
                MediaStream.newBuilder().setKind(MediaStream.Kind.VIDEO).setCodec("h264").setPixFmt("yuv420p")
                        .setWidth(720).setHeight(576).setFieldOrder("progressive").setFrames(100).setBitRate(5_000_000))
                .build();
        String all = String.join("; ", OutputCheck.problems(
                Map.of("video-codec", "mpeg2video", "width", "source", "height", "608", "field-order", "tt",
                        "video-bitrate", "30000000", "aspect", "source"), source, out));
        assertTrue(all.contains("video-codec is h264, expected mpeg2video"), all);
        assertTrue(all.contains("height is 576, expected 608"), all);
        assertTrue(all.contains("field-order is progressive, expected tt"), all);
        assertTrue(all.contains("video bit rate is 5000000 b/s, expected 30000000"), all);
        assertTrue(all.contains("display aspect is , the source 4:3"), all);
        assertTrue(!all.contains("width"), "width matches the source: " + all);
    }

    @Test
    void audioChecksApplyOnlyWhenTheSourceHasAudio() {
        MediaInfo silent = MediaInfo.newBuilder().setFormat("mxf").setDurationSeconds(4)
                .addStreams(MediaStream.newBuilder().setKind(MediaStream.Kind.VIDEO).setFrames(100)).build();
        assertEquals(List.of(), OutputCheck.problems(Map.of("audio-channels", "2", "frames", "source"), silent, silent));
    }
}
