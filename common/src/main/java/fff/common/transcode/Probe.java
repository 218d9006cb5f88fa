package fff.common.transcode;

import com.github.kokorin.jaffree.JaffreeException;
import com.github.kokorin.jaffree.Rational;
import com.github.kokorin.jaffree.StreamType;
import com.github.kokorin.jaffree.ffprobe.FFprobe;
import com.github.kokorin.jaffree.ffprobe.FFprobeResult;
import com.github.kokorin.jaffree.ffprobe.Format;
import com.github.kokorin.jaffree.ffprobe.Stream;
import com.github.kokorin.jaffree.process.JaffreeAbnormalExitException;
import fff.proto.MediaInfo;
import fff.proto.MediaStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

/**
 * Describes a media file with ffprobe (through jaffree): format, duration, start timecode and, per stream,
 * codec, frames, geometry, field order, channels. Frames come from the container's count where it has one,
 * else from counting packets (which reads the file, but decodes nothing). Blocking: call off event loops.
 */
public final class Probe {

    private final FfmpegTools tools;

    public Probe(FfmpegTools tools) {
        this.tools = tools;
    }

    /**
     * Probes {@code file}.
     *
     * @throws MediaException when ffprobe cannot read it as media (the message says what ffprobe said)
     */
    public MediaInfo probe(Path file) throws MediaException {
        if (!Files.isRegularFile(file)) {
            throw new MediaException(file + " is not a regular file");
        }
        FFprobeResult r = run(file, false);
        MediaInfo info = describe(r);
        boolean uncounted = info.getStreamsList().stream()
                .anyMatch(s -> s.getKind() == MediaStream.Kind.VIDEO && s.getFrames() == 0);
        if (uncounted) {
            info = describe(run(file, true));
        }
        if (info.getStreamsCount() == 0) {
            throw new MediaException(file + " holds no audio or video stream ffprobe can read (format "
                    + info.getFormat() + ")");
        }
        return info;
    }

    private FFprobeResult run(Path file, boolean countPackets) throws MediaException {
        try {
            return FFprobe.atPath(tools.folder()).setInput(file).setShowFormat(true).setShowStreams(true)
                    .setCountPackets(countPackets).execute();
        } catch (JaffreeAbnormalExitException e) {
            String said = e.getProcessErrorLogMessages().stream().map(m -> m.message).map(String::trim)
                    .collect(Collectors.joining("; "));
            throw new MediaException("ffprobe cannot read " + file + " as media: "
                    + (said.isEmpty() ? e.getMessage() : said));
        } catch (JaffreeException e) {
            throw new MediaException("ffprobe failed on " + file + ": " + e.getMessage(), e);
        }
    }

    static MediaInfo describe(FFprobeResult r) {
        MediaInfo.Builder b = MediaInfo.newBuilder();
        Format f = r.getFormat();
        if (f != null) {
            b.setFormat(nz(f.getFormatName()));
            if (f.getDuration() != null) {
                b.setDurationSeconds(f.getDuration());
            }
            b.setTimecode(nz(f.getTag("timecode")));
        }
        for (Stream s : r.getStreams()) {
            StreamType type = s.getCodecType();
            MediaStream.Builder m = MediaStream.newBuilder().setCodec(nz(s.getCodecName()));
            if (type == StreamType.VIDEO) {
                m.setKind(MediaStream.Kind.VIDEO).setWidth(n(s.getWidth())).setHeight(n(s.getHeight()))
                        .setFrameRate(rational(s.getRFrameRate())).setFieldOrder(nz(s.getFieldOrder()))
                        .setPixFmt(nz(s.getPixFmt())).setDisplayAspect(aspect(s.getDisplayAspectRatio()));
                long frames = s.getNbFrames() != null ? s.getNbFrames()
                        : s.getNbReadPackets() != null ? s.getNbReadPackets() : 0;
                m.setFrames(frames);
                if (b.getTimecode().isEmpty()) {
                    b.setTimecode(nz(s.getTag("timecode")));
                }
            } else if (type == StreamType.AUDIO) {
                m.setKind(MediaStream.Kind.AUDIO).setChannels(n(s.getChannels())).setSampleRate(n(s.getSampleRate()));
            } else {
                continue; // data and subtitle streams are not carried by the built-in profiles
            }
            if (s.getBitRate() != null) {
                m.setBitRate(s.getBitRate());
            }
            b.addStreams(m);
        }
        return b.build();
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private static int n(Integer i) {
        return i == null ? 0 : i;
    }

    private static String rational(Rational r) {
        return r == null ? "" : r.getNumerator() + "/" + r.getDenominator();
    }

    private static String aspect(Rational r) {
        return r == null || r.getNumerator() == 0 ? "" : r.getNumerator() + ":" + r.getDenominator();
    }
}
