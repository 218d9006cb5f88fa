package fff.common.jobs;

/**
 * A running transcode's ffmpeg progress, for people (not journaled).
 *
 * @param frame  frames done by the sending ffmpeg
 * @param frames frames in the source
 * @param fps    frames per second just now
 * @param speed  times real time just now
 */
public record MediaProgress(long frame, long frames, double fps, double speed) {
}
