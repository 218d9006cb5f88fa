package fff.common.transcode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fff.proto.MediaInfo;
import fff.proto.MediaStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link ProfileLimits} and {@link Refusal} on made-up probes; the real-ffprobe cases are in FileConversionTest. */
class ProfileLimitsTest {

    private static MediaInfo media(String format, double seconds, String videoCodec) {
        return MediaInfo.newBuilder().setFormat(format).setDurationSeconds(seconds)
                .addStreams(MediaStream.newBuilder().setKind(MediaStream.Kind.VIDEO).setCodec(videoCodec)
                        .setWidth(320).setHeight(240)).build();
    }

    @Test
    void sizesAndDurationsReadAsPeopleWriteThem() {
        assertEquals("512 bytes", Refusal.size(512));
        assertEquals("1 byte", Refusal.size(1));
        assertEquals("1.5 KiB", Refusal.size(1536));
        assertEquals("200 MiB", Refusal.size(200L << 20));
        assertEquals("20 GiB", Refusal.size(20L << 30));
        assertEquals("25.3 GiB", Refusal.size((long) (25.3 * (1L << 30))));
        assertEquals("2:00:00", Refusal.duration(Duration.ofHours(2)));
        assertEquals("2:05:09", Refusal.duration(Duration.ofSeconds(2 * 3600 + 5 * 60 + 9)));
        assertEquals("1:30", Refusal.duration(Duration.ofSeconds(90)));
        assertEquals("0:01.6", Refusal.duration(Duration.ofMillis(1_640)));
    }

    @Test
    void aSourceAboveMaxSizeIsRefusedWithBothFigures() {
        ProfileLimits limits = ProfileLimits.NONE.withMaxSize(20L << 30);
        Refusal r = limits.checkSize("h265-mkv", "clip.mov", (long) (25.3 * (1L << 30))).orElseThrow();
        assertEquals(Refusal.Code.TOO_LARGE, r.code());
        assertEquals("clip.mov is 25.3 GiB, above h265-mkv's max-size 20 GiB", r.message());
        assertEquals(Optional.empty(), limits.checkSize("h265-mkv", "clip.mov", 20L << 30), "at the limit is fine");
        assertEquals(Optional.empty(), ProfileLimits.NONE.checkSize("x", "clip.mov", Long.MAX_VALUE));
    }

    @Test
    void aSourceAboveMaxDurationIsRefusedWithBothFigures() {
        ProfileLimits limits = ProfileLimits.NONE.withMaxDuration(Duration.ofHours(2));
        Refusal r = limits.checkMedia("h264-mkv", "long.mxf", media("mxf", 7_809.4, "mpeg2video")).orElseThrow();
        assertEquals(Refusal.Code.TOO_LONG, r.code());
        assertEquals("long.mxf runs 2:10:09.4, above h264-mkv's max-duration 2:00:00", r.message());
        assertEquals(Optional.empty(), limits.checkMedia("h264-mkv", "a.mxf", media("mxf", 7_200, "mpeg2video")));
        assertEquals(Optional.empty(), limits.checkMedia("h264-mkv", "a.mxf", media("mxf", 0, "mpeg2video")),
                "a source ffprobe gave no duration is not refused for it");
    }

    @Test
    void inputsMatchAnElementOfTheFormatNameAPipeOrAStillsCodec() {
        List<String> video = Profiles.VIDEO_INPUTS;
        assertTrue(ProfileLimits.accepts(video, media("mov,mp4,m4a,3gp,3g2,mj2", 2, "h264")));
        assertTrue(ProfileLimits.accepts(video, media("matroska,webm", 2, "vp9")));
        assertFalse(ProfileLimits.accepts(video, media("png_pipe", 0, "png")));
        assertFalse(ProfileLimits.accepts(video, media("wav", 2, "")));
        List<String> stills = Profiles.STILL_INPUTS;
        assertTrue(ProfileLimits.accepts(stills, media("png_pipe", 0, "png")));
        assertTrue(ProfileLimits.accepts(stills, media("jpeg_pipe", 0, "mjpeg")));
        assertTrue(ProfileLimits.accepts(stills, media("image2", 0.04, "mjpeg")), "a .jpg read by its name");
        assertFalse(ProfileLimits.accepts(stills, media("avi", 2, "mjpeg")), "a codec counts for stills only");
        assertFalse(ProfileLimits.accepts(stills, media("image2", 0.04, "tiff")));
    }

    @Test
    void anInputNotTakenIsRefusedNamingWhatItIsAndWhatIsTaken() {
        ProfileLimits limits = ProfileLimits.NONE.withInputs(List.of("mxf", "mov"));
        Refusal r = limits.checkMedia("h265-mkv", "still.png", media("png_pipe", 0, "png")).orElseThrow();
        assertEquals(Refusal.Code.UNSUPPORTED_INPUT, r.code());
        assertEquals("still.png is png_pipe (png), which h265-mkv does not take (inputs: mxf, mov)", r.message());
        assertEquals(Optional.empty(), ProfileLimits.NONE.checkMedia("x", "still.png", media("png_pipe", 0, "png")));
    }

    @Test
    void theBuiltInsHaveSensibleLimits() {
        ProfileLimits webp = Profiles.webp(Map.of()).limits();
        assertEquals(200L << 20, webp.maxSize());
        assertEquals(List.of("png", "jpeg", "mjpeg"), webp.inputs());
        ProfileLimits h265 = Profiles.h265Mkv(Map.of()).limits();
        assertEquals(0, h265.maxSize(), "no size limit");
        assertEquals(Duration.ZERO, h265.maxDuration(), "no duration limit");
        assertTrue(h265.inputs().containsAll(List.of("mov", "mp4", "matroska", "mxf", "mpegts")), h265.inputs().toString());
        assertEquals(ProfileLimits.NONE, Profiles.imx30(Map.of()).limits());
        assertThrows(IllegalArgumentException.class, () -> ProfileLimits.NONE.withMaxSize(-1));
    }

    @Test
    void theCallersRefusalsSayWhatIsWrong() {
        Refusal unknown = Refusal.unknownProfile("h266-mkv", List.of("imx30", "h265-mkv"));
        assertEquals(Refusal.Code.UNKNOWN_PROFILE, unknown.code());
        assertEquals("no profile 'h266-mkv' here (profiles: imx30, h265-mkv)", unknown.message());
        Refusal full = Refusal.diskFull("clip.mov", 30L << 30, 12L << 30);
        assertEquals(Refusal.Code.DISK_FULL, full.code());
        assertEquals("no room for clip.mov: it needs 30 GiB, 12 GiB free", full.message());
    }
}
