package fff.sender.ftp;

/**
 * A file on an FTP server as {@link FtpSession#list} found it.
 *
 * @param relative    '/'-separated path below the listed folder
 * @param size        bytes
 * @param mtimeMillis modification time (UTC), to the second where the server tells it (MLSD, MDTM)
 */
public record RemoteFile(String relative, long size, long mtimeMillis) {
}
