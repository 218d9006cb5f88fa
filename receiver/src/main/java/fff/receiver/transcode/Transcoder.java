package fff.receiver.transcode;

import fff.common.paths.SafePaths;
import fff.common.transcode.FfmpegTools;
import fff.common.transcode.Media;
import fff.common.transcode.Profile;
import fff.common.transcode.Profiles;
import fff.common.transcode.Refusal;
import fff.proto.Offer;
import fff.proto.Reason;
import fff.proto.Transcode;
import fff.receiver.storage.LandingArea;
import fff.receiver.storage.StorageRefusal;
import fff.receiver.storage.StreamSink;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The receiving node's transcode side: its profiles and ffmpeg, or why it has none. Transcode streams do
 * their blocking work (piping into ffmpeg, waiting for it, probing) on threads of their own, so a slow ffmpeg
 * never holds a disk thread that plain files need.
 */
public final class Transcoder implements AutoCloseable {

    private final FfmpegTools tools;
    private final Profiles profiles;
    private final String unavailable;
    private final ExecutorService work;

    private Transcoder(FfmpegTools tools, Profiles profiles, String unavailable) {
        this.tools = tools;
        this.profiles = profiles;
        this.unavailable = unavailable;
        AtomicInteger n = new AtomicInteger();
        this.work = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fff-recv-transcode-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    public static Transcoder of(FfmpegTools tools, Profiles profiles) {
        return new Transcoder(tools, profiles, null);
    }

    /** A receiver that refuses transcodes, saying {@code why}. */
    public static Transcoder unavailable(String why) {
        return new Transcoder(null, Profiles.builtIns(), why);
    }

    public boolean available() {
        return unavailable == null;
    }

    /** The profile named {@code name}; call after {@link #refusal} said yes. */
    public Profile profile(String name) {
        return profiles.get(name).orElseThrow(() -> new IllegalArgumentException("no profile '" + name + "'"));
    }

    /** Where transcode streams run their blocking steps. */
    public ExecutorService executor() {
        return work;
    }

    /**
     * Why this receiver cannot take the transcode {@code offer}, or null when it can: no ffmpeg here
     * (UNSUPPORTED_PROFILE), an unknown profile or another wire format than ours (UNSUPPORTED_PROFILE), a source
     * without video (BAD_SOURCE); for a whole-file conversion our profile's limits on the offered size and the
     * sender's probe of the source (TOO_LARGE, TOO_LONG, BAD_SOURCE). No I/O: safe on an event loop.
     */
    public StorageRefusal refusal(Offer offer) {
        Transcode t = offer.getTranscode();
        if (unavailable != null) {
            return new StorageRefusal(Reason.UNSUPPORTED_PROFILE, "this receiver cannot transcode: " + unavailable);
        }
        Profile p = profiles.get(t.getProfile()).orElse(null);
        if (p == null) {
            return new StorageRefusal(Reason.UNSUPPORTED_PROFILE, "this receiver has no profile '" + t.getProfile()
                    + "' (it knows " + profiles.names() + ")");
        }
        boolean whole = t.getWireFormat().isEmpty();
        if (whole || p.isWholeFile()) {
            return conversionRefusal(offer, p, whole);
        }
        if (!p.wireFormat().equals(t.getWireFormat())) {
            return new StorageRefusal(Reason.UNSUPPORTED_PROFILE, "profile '" + p.name() + "' sends "
                    + t.getWireFormat() + " from the sender but expects " + p.wireFormat()
                    + " here; configure it alike on both nodes");
        }
        if (Media.video(t.getSource()).isEmpty() || Media.frames(t.getSource()) == 0) {
            return new StorageRefusal(Reason.BAD_SOURCE, "profile '" + p.name() + "' needs a video source; the "
                    + "sender's is " + Media.describe(t.getSource()));
        }
        return null;
    }

    /** {@link #refusal} of an offer where the sender's side or ours is a whole-file conversion. */
    private static StorageRefusal conversionRefusal(Offer offer, Profile p, boolean whole) {
        if (!whole) {
            return new StorageRefusal(Reason.UNSUPPORTED_PROFILE, "profile '" + p.name() + "' converts whole files"
                    + " here, but the sender ran its own side of it (" + offer.getTranscode().getWireFormat()
                    + "); configure it alike on both nodes");
        }
        if (!p.isWholeFile()) {
            return new StorageRefusal(Reason.UNSUPPORTED_PROFILE, "profile '" + p.name() + "' runs split here (the"
                    + " sender's ffmpeg, then this node's), but the sender sent the whole file; configure it alike"
                    + " on both nodes");
        }
        if (p.placement() != Profile.Placement.RECEIVER) {
            return new StorageRefusal(Reason.UNSUPPORTED_PROFILE, "profile '" + p.name() + "' runs on the sending"
                    + " node (runs-on: " + p.placement().name().toLowerCase(java.util.Locale.ROOT) + "), not here");
        }
        String file = SafePaths.quote(offer.getPath());
        Optional<Refusal> no = p.limits().checkSize(p.name(), file, offer.getSize())
                .or(() -> p.limits().checkMedia(p.name(), file, offer.getTranscode().getSource()));
        return no.map(r -> new StorageRefusal(r.reason(), r.message())).orElse(null);
    }

    /**
     * Claims the offer's path for the receiving ffmpeg (which starts with {@link StreamSink#startFrom}).
     * Blocking (makes folders, checks space): call from the stream's chain.
     *
     * @throws StorageRefusal what {@link #refusal} says, or the landing area's refusals
     */
    public StreamSink begin(LandingArea landing, Offer offer) throws StorageRefusal, IOException {
        StorageRefusal r = refusal(offer);
        if (r != null) {
            throw r;
        }
        Transcode t = offer.getTranscode();
        Profile p = profiles.get(t.getProfile()).orElseThrow();
        if (p.isWholeFile()) {
            // room for the source and a result about as large
            LandingArea.Claim claim = landing.claimOutput(offer.getPath(), 2 * offer.getSize());
            return new ConversionSink(claim, p, t.getSource(), offer.getSize(), offer.getMtimeMillis(), tools);
        }
        LandingArea.Claim claim = landing.claimOutput(offer.getPath(), t.getSourceSize());
        return new TranscodeSink(claim, p, t.getSource(), offer.getMtimeMillis(), tools);
    }

    @Override
    public void close() {
        work.shutdownNow();
    }
}
