package fff.common.config;

/**
 * A config file that cannot be used: missing, unreadable, not YAML, or not a valid {@link NodeConfig}. The
 * message names the file and the config key (e.g. {@code receive.allow[2]}) and is meant to be printed to the
 * user as it is.
 */
public final class ConfigException extends Exception {

    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
