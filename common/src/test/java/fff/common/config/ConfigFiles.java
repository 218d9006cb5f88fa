package fff.common.config;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Config files written into a test's temporary folder, loaded or refused. */
final class ConfigFiles {

    private ConfigFiles() {}

    static Path write(Path file, String yaml) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.writeString(file, yaml);
    }

    /** {@code yaml} as {@code dir/fff.yaml}, loaded. */
    static NodeConfig load(Path dir, String yaml) throws IOException, ConfigException {
        return NodeConfig.load(write(dir.resolve("fff.yaml"), yaml));
    }

    /** The message refusing {@code yaml} as {@code dir/fff.yaml}, without the leading "FILE: ". */
    static String error(Path dir, String yaml) throws IOException {
        Path file = write(dir.resolve("fff.yaml"), yaml);
        ConfigException e = assertThrows(ConfigException.class, () -> NodeConfig.load(file));
        String prefix = file + ": ";
        assertTrue(e.getMessage().startsWith(prefix), e.getMessage());
        return e.getMessage().substring(prefix.length());
    }
}
