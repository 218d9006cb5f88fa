package fff.common.transcode;

import fff.proto.MediaInfo;
import fff.proto.MediaStream;
import java.util.Locale;
import java.util.Optional;

/** Small readings of a {@link MediaInfo}. */
public final class Media {

    private Media() {
    }

    /** The first video stream, if any. */
    public static Optional<MediaStream> video(MediaInfo info) {
        return info.getStreamsList().stream().filter(s -> s.getKind() == MediaStream.Kind.VIDEO).findFirst();
    }

    /** Audio channels over all audio streams. */
    public static int audioChannels(MediaInfo info) {
        return info.getStreamsList().stream().filter(s -> s.getKind() == MediaStream.Kind.AUDIO)
                .mapToInt(MediaStream::getChannels).sum();
    }

    /** Video frames of the first video stream (0 without video). */
    public static long frames(MediaInfo info) {
        return video(info).map(MediaStream::getFrames).orElse(0L);
    }

    /** Frames per second of the first video stream, or 0. */
    public static double fps(MediaInfo info) {
        String r = video(info).map(MediaStream::getFrameRate).orElse("");
        int slash = r.indexOf('/');
        try {
            if (slash > 0) {
                double den = Double.parseDouble(r.substring(slash + 1));
                return den == 0 ? 0 : Double.parseDouble(r.substring(0, slash)) / den;
            }
            return r.isEmpty() ? 0 : Double.parseDouble(r);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** One line for people: "mxf, mpeg2video 720x608 tt 25/1 125 frames, 5.00 s, audio 4 ch, tc 10:00:00:00". */
    public static String describe(MediaInfo info) {
        StringBuilder sb = new StringBuilder(info.getFormat());
        video(info).ifPresent(v -> sb.append(", ").append(v.getCodec()).append(' ').append(v.getWidth()).append('x')
                .append(v.getHeight()).append(v.getFieldOrder().isEmpty() ? "" : " " + v.getFieldOrder())
                .append(' ').append(v.getFrameRate()).append(' ').append(v.getFrames()).append(" frames"));
        sb.append(String.format(Locale.ROOT, ", %.2f s", info.getDurationSeconds()));
        int ch = audioChannels(info);
        if (ch > 0) {
            sb.append(", audio ").append(ch).append(" ch");
        }
        if (!info.getTimecode().isEmpty()) {
            sb.append(", tc ").append(info.getTimecode());
        }
        return sb.toString();
    }
}
