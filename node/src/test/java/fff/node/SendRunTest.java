package fff.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fff.common.identity.NodeIdentity;
import fff.common.rate.RateLimiter;
import fff.common.transcode.FfmpegTools;
import fff.common.transcode.Profile;
import fff.common.transcode.Profiles;
import fff.common.wire.HostPort;
import fff.sender.PeerClient;
import fff.sender.PeerTarget;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fff send --profile} with a whole-file profile whose limits refuse the files: each refusal is told as
 * {@code fff: FILE: CODE: MESSAGE}, the exit status is 1, and nothing connects to the receiver.
 */
class SendRunTest {

    @Test
    void filesTheProfileRefusesAreToldWithTheirCodeAndNothingIsSent(@TempDir Path tmp) throws Exception {
        Profile webp = Profiles.builtIns().get("webp").orElseThrow();
        Profile tiny = new Profile("tiny-webp", webp.placement(), "", List.of(), List.of(), webp.convert(),
                webp.outputFormat(), webp.extension(), webp.expect(), webp.limits().withMaxSize(1000));
        Path text = Files.writeString(tmp.resolve("notes.txt"), "not a picture\n".repeat(20));
        Path big = Files.write(tmp.resolve("big.png"), new byte[2048]);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (ServerSocket receiver = new ServerSocket(0)) {
            receiver.setSoTimeout(500);
            PeerTarget target = new PeerTarget(new HostPort("127.0.0.1", receiver.getLocalPort()), true, null, null,
                    1, 0);
            int status;
            try (PeerClient client = new PeerClient(target, NodeIdentity.create(tmp.resolve("id")), 1, null,
                    RateLimiter.unlimited())) {
                status = new SendRun(client, SendPlan.of(List.of(text, big), null),
                        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true,
                        StandardCharsets.UTF_8), false, true, new SendRun.Transcode(FfmpegTools.find(null), tiny))
                        .run();
            }
            assertEquals(1, status);
            assertThrows(SocketTimeoutException.class, receiver::accept, "nothing connected to the receiver");
        }
        List<String> lines = err.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(3, lines.size(), lines.toString());
        assertTrue(lines.get(0).startsWith("fff: notes.txt: BAD_SOURCE: notes.txt is not media tiny-webp can take: "
                + "ffprobe cannot read "), lines.get(0));
        assertEquals("fff: big.png: TOO_LARGE: big.png is 2 KiB, above tiny-webp's max-size 1000 bytes", lines.get(1));
        assertTrue(lines.get(2).startsWith("fff: 2 item(s) failed; 0 of 2 file(s), 0 B verified"), lines.get(2));
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }
}
