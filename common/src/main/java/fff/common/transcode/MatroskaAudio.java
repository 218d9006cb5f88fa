package fff.common.transcode;

import fff.proto.MediaInfo;
import fff.proto.MediaStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Which audio a Matroska output keeps as it is and which it re-encodes: a codec with a Matroska codec id of its
 * own (ffmpeg's {@code ff_mkv_codec_tags}: {@code A_AAC}, {@code A_PCM/INT/LIT}, ...) is copied; anything else,
 * e.g. the SMPTE 302M audio of an MPEG-TS, which ffmpeg's matroska muxer refuses ("No wav codec tag found"),
 * becomes FLAC, which keeps every sample. The profiles' {@code {matroska-audio}} placeholder is filled from here.
 */
public final class MatroskaAudio {

    /** Audio codecs (ffprobe's names) that Matroska holds as they are. */
    public static final Set<String> HELD = Set.of("aac", "ac3", "alac", "dts", "eac3", "flac", "mlp", "mp1",
            "mp2", "mp3", "opus", "truehd", "tta", "vorbis", "wavpack", "pcm_u8", "pcm_s16le", "pcm_s24le",
            "pcm_s32le", "pcm_s16be", "pcm_s24be", "pcm_s32be", "pcm_f32le", "pcm_f64le");

    private MatroskaAudio() {
    }

    /** Whether Matroska holds audio of {@code codec} as it is. */
    public static boolean holds(String codec) {
        return HELD.contains(codec);
    }

    /**
     * Per audio stream of {@code source}, in order: {@code -c:a:N copy} where Matroska holds its codec, else
     * {@code -c:a:N flac}. Output audio stream N is the source's audio stream N, so the profile must map all
     * audio ({@code -map 0:a?}) and nothing before it that is audio.
     */
    public static List<String> codecArgs(MediaInfo source) {
        List<String> out = new ArrayList<>();
        int n = 0;
        for (MediaStream s : source.getStreamsList()) {
            if (s.getKind() == MediaStream.Kind.AUDIO) {
                out.add("-c:a:" + n++);
                out.add(holds(s.getCodec()) ? "copy" : "flac");
            }
        }
        return out;
    }
}
