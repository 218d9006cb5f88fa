package fff.common.wire;

/** Protocol constants shared by both ends. */
public final class WireLimits {

    /** The protocol version this build speaks. */
    public static final int VERSION = 1;
    /** Largest raw payload of one Data frame. */
    public static final int MAX_PAYLOAD = 1 << 20;
    /** Largest protobuf header of one frame (the u16 header length caps it anyway). */
    public static final int MAX_HEADER = 0xFFFF;
    /** Largest value of the u32 length prefix; anything above is refused before a byte is buffered. */
    public static final int MAX_FRAME = 2 + MAX_HEADER + MAX_PAYLOAD;
    /** Capability of a receiver that applies {@code Offer.remove} and {@code Offer.rename_from}. */
    public static final String CAPABILITY_MIRROR = "mirror";
    /** The receiver runs ffmpeg for {@code Offer.transcode}. */
    public static final String CAPABILITY_TRANSCODE = "transcode";
    /** The receiver takes {@code Offer.stripe}: one file's parts on several streams. */
    public static final String CAPABILITY_STRIPES = "stripes";
    /** The receiver converts whole files: {@code Offer.transcode} with an empty wire format. */
    public static final String CAPABILITY_CONVERT = "convert";
    /** The receiver converts files for the sender and returns the results on the same stream ({@code Offer.convert}). */
    public static final String CAPABILITY_RETURN = "return";
    /** The receiver takes {@code Offer.eager}: small files sent without waiting for Accept. */
    public static final String CAPABILITY_EAGER = "eager";

    private WireLimits() {}
}
