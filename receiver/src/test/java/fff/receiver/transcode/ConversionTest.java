package fff.receiver.transcode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fff.common.hash.ContentHasher;
import fff.common.paths.SafePaths;
import fff.common.testing.MediaFixtures;
import fff.common.transcode.FfmpegTools;
import fff.common.transcode.Media;
import fff.common.transcode.Probe;
import fff.common.transcode.Profile;
import fff.common.transcode.ProfileLimits;
import fff.common.transcode.Profiles;
import fff.proto.HashAlgorithm;
import fff.proto.MediaInfo;
import fff.proto.Offer;
import fff.proto.Reason;
import fff.proto.Transcode;
import fff.receiver.storage.LandingArea;
import fff.receiver.storage.StorageRefusal;
import fff.receiver.storage.StreamSink;
import fff.receiver.storage.Verdict;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The receiving side of a whole-file conversion with the real ffmpeg: what {@link Transcoder#refusal} says from
 * the offer alone, and the {@link ConversionSink} from the source's bytes to the result at its final path.
 */
class ConversionTest {

    static FfmpegTools tools;

    @TempDir
    Path dir;

    @BeforeAll
    static void find() throws Exception {
        tools = FfmpegTools.find(null);
    }

    private static void ffmpeg(String... args) throws IOException, InterruptedException {
        MediaFixtures.ffmpeg(tools, args);
    }

    private Path png() throws Exception {
        Path still = dir.resolve("src/still.png");
        return MediaFixtures.png(tools, still);
    }

    private static Offer offer(String path, long size, String profile, MediaInfo media) {
        return Offer.newBuilder().setStream(1).setPath(path).setSize(size).setMtimeMillis(1_700_000_000_000L)
                .setHash(HashAlgorithm.XXH3_128_BLOCKS).setTranscode(Transcode.newBuilder().setProfile(profile)
                        .setSource(media).setSourceSize(size)).build();
    }

    private static byte[] digest(byte[] b) {
        ContentHasher h = new ContentHasher();
        h.update(ByteBuffer.wrap(b));
        return h.digest();
    }

    /** Every file under the landing root, hidden ones included. */
    private static List<String> files(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void aPngBecomesAWebpOfTheSameSizeAndNothingElseStays() throws Exception {
        Path src = png();
        byte[] bytes = Files.readAllBytes(src);
        MediaInfo media = new Probe(tools).probe(src);
        Transcoder t = Transcoder.of(tools, Profiles.builtIns());
        LandingArea landing = new LandingArea(dir.resolve("in"), 0);
        Offer o = offer("stills/still.webp", bytes.length, "webp", media);
        assertNull(t.refusal(o));
        StreamSink sink = t.begin(landing, o);
        sink.startFrom(0);
        sink.write(ByteBuffer.wrap(bytes, 0, 1000), 0);
        sink.write(ByteBuffer.wrap(bytes, 1000, bytes.length - 1000), 1000);
        Verdict v = sink.finish(bytes.length, digest(bytes));
        assertEquals(Verdict.Outcome.VERIFIED, v.outcome(), v.message());
        Path out = dir.resolve("in/stills/still.webp");
        MediaInfo result = new Probe(tools).probe(out);
        assertEquals("webp", Media.video(result).orElseThrow().getCodec(), Media.describe(result));
        assertEquals(320, Media.video(result).orElseThrow().getWidth());
        assertEquals(240, Media.video(result).orElseThrow().getHeight());
        assertEquals(List.of("stills/still.webp"), files(dir.resolve("in")), "no source or partial left");
        assertEquals(1_700_000_000_000L, Files.getLastModifiedTime(out).toMillis());
    }

    @Test
    void aSourceWhoseDigestDiffersIsNotConvertedAndLeavesNothing() throws Exception {
        Path src = png();
        byte[] bytes = Files.readAllBytes(src);
        Transcoder t = Transcoder.of(tools, Profiles.builtIns());
        LandingArea landing = new LandingArea(dir.resolve("in"), 0);
        StreamSink sink = t.begin(landing, offer("x.webp", bytes.length, "webp", new Probe(tools).probe(src)));
        sink.startFrom(0);
        sink.write(ByteBuffer.wrap(bytes), 0);
        byte[] other = bytes.clone();
        other[10] ^= 1;
        assertEquals(Verdict.Outcome.HASH_MISMATCH, sink.finish(bytes.length, digest(other)).outcome());
        assertEquals(List.of(), files(dir.resolve("in")));
    }

    @Test
    void aDiscardedUploadLeavesNothingAndFreesThePath() throws Exception {
        Path src = png();
        byte[] bytes = Files.readAllBytes(src);
        Transcoder t = Transcoder.of(tools, Profiles.builtIns());
        LandingArea landing = new LandingArea(dir.resolve("in"), 0);
        Offer o = offer("y.webp", bytes.length, "webp", new Probe(tools).probe(src));
        StreamSink sink = t.begin(landing, o);
        sink.startFrom(0);
        sink.write(ByteBuffer.wrap(bytes, 0, 500), 0);
        assertTrue(Files.exists(SafePaths.sourceFor(dir.resolve("in/y.webp"))), "the source is kept while it comes");
        sink.discard();
        assertEquals(List.of(), files(dir.resolve("in")));
        t.begin(landing, o).discard(); // the claim was released: the path can be taken again
    }

    @Test
    void limitsAreCheckedFromTheOfferAloneWithTheirCodes() throws Exception {
        Profile small = Profiles.builtIn("webp", Map.of()).withLimits(
                Profiles.builtIn("webp", Map.of()).limits().withMaxSize(1000));
        Transcoder t = Transcoder.of(tools, Profiles.of(Map.of("webp", small)));
        MediaInfo still = new Probe(tools).probe(png());

        StorageRefusal big = t.refusal(offer("a.webp", 5000, "webp", still));
        assertEquals(Reason.TOO_LARGE, big.reason());
        assertTrue(big.getMessage().contains("max-size"), big.getMessage());

        MediaInfo text = MediaInfo.newBuilder().setFormat("tty").build();
        StorageRefusal input = t.refusal(offer("b.webp", 10, "webp", text));
        assertEquals(Reason.BAD_SOURCE, input.reason());
        assertTrue(input.getMessage().contains("tty"), input.getMessage());

        StorageRefusal unknown = t.refusal(offer("c.mkv", 10, "h266-mkv", still));
        assertEquals(Reason.UNSUPPORTED_PROFILE, unknown.reason());

        StorageRefusal late = assertThrows(StorageRefusal.class,
                () -> t.begin(new LandingArea(dir.resolve("in"), 0), offer("d.webp", 5000, "webp", still)));
        assertEquals(Reason.TOO_LARGE, late.reason(), "begin checks again");
        assertFalse(Files.exists(dir.resolve("in/d.webp")));
    }

    @Test
    void aSplitOfferForAWholeFileProfileOrTheOtherWayRoundIsRefused() throws Exception {
        Transcoder t = Transcoder.of(tools, Profiles.builtIns());
        MediaInfo still = new Probe(tools).probe(png());
        Offer split = offer("s.webp", 10, "webp", still).toBuilder()
                .setTranscode(Transcode.newBuilder().setProfile("webp").setWireFormat("mpegts").setSource(still))
                .build();
        assertEquals(Reason.UNSUPPORTED_PROFILE, t.refusal(split).reason());
        StorageRefusal whole = t.refusal(offer("p.mp4", 10, "proxy", still));
        assertEquals(Reason.UNSUPPORTED_PROFILE, whole.reason());
        assertTrue(whole.getMessage().contains("runs split here"), whole.getMessage());
        Profile onSender = Profile.wholeFile("shrink", Profile.Placement.SENDER, List.of("-c:v", "libwebp"), "webp",
                "webp", Map.of());
        Transcoder t2 = Transcoder.of(tools, Profiles.of(Map.of("shrink", onSender)));
        assertTrue(t2.refusal(offer("q.webp", 10, "shrink", still)).getMessage().contains("runs-on: sender"));
        assertEquals(ProfileLimits.NONE, onSender.limits());
    }
}
