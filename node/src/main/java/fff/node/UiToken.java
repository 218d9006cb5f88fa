package fff.node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The node's web UI token: 32 random bytes (base64url) in {@code HOME/ui-token}, readable by its owner only.
 * API mutations must present it as a bearer token. Made by {@code fff init} (or the first {@code fff run}),
 * shown by {@code fff id --token}.
 */
final class UiToken {

    static final String FILE = "ui-token";

    private UiToken() {
    }

    static String loadOrCreate(Path home) throws IOException {
        Path file = home.resolve(FILE);
        if (Files.exists(file)) {
            return load(home);
        }
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        Files.createDirectories(home);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException raced) {
            return load(home);
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(file);
        }
        Files.writeString(file, token + "\n", StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
        return token;
    }

    static String load(Path home) throws IOException {
        String token = Files.readString(home.resolve(FILE), StandardCharsets.US_ASCII).strip();
        if (token.isEmpty()) {
            throw new IOException(home.resolve(FILE) + " is empty; delete it and run fff init or fff run again");
        }
        return token;
    }
}
