package fff.sender.ftp;

import fff.common.config.FtpLocation;
import fff.common.jobs.Delivery;
import fff.common.jobs.Failure;
import fff.common.jobs.Job;
import fff.common.jobs.JobSpec;
import fff.common.jobs.JobState;
import fff.common.jobs.Mover;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.stream.Stream;
import org.apache.ftpserver.FtpServer;
import org.apache.ftpserver.FtpServerFactory;
import org.apache.ftpserver.DataConnectionConfigurationFactory;
import org.apache.ftpserver.ftplet.DefaultFtpReply;
import org.apache.ftpserver.ftplet.DefaultFtplet;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.ftplet.FtpletResult;
import org.apache.ftpserver.listener.ListenerFactory;
import org.apache.ftpserver.usermanager.PropertiesUserManagerFactory;
import org.apache.ftpserver.usermanager.impl.BaseUser;
import org.apache.ftpserver.usermanager.impl.WritePermission;

/** Jobs, a recording listener and an embedded Apache FtpServer for the FTP tests. */
final class FtpTesting {

    private FtpTesting() {}

    private static final AtomicLong IDS = new AtomicLong();

    static FtpLocation location(String url, String passwordEnv, Path caFile) {
        return FtpLocation.parse("destinations.t.ftp", url, passwordEnv, null, caFile, false);
    }

    static Job send(Path source, String remotePath) throws IOException {
        return job(new JobSpec("send", source, source.getFileName().toString(), "t", remotePath, "default", 0,
                Files.size(source), Files.getLastModifiedTime(source).toMillis(), "keep"));
    }

    static Job job(JobSpec spec) {
        return new Job(IDS.incrementAndGet(), spec, JobState.RUNNING, false, 0, null, 0, 0, 0, 0, 0, 0, null);
    }

    /** Same job id, next attempt. */
    static Job again(Job j) {
        return new Job(j.id(), j.spec(), JobState.RUNNING, false, j.attempts() + 1, null, 0, 0, 0, 0, 0, 0, null);
    }

    /** What one attempt reported. */
    static final class Outcome implements Mover.Listener {
        final CompletableFuture<Object> end = new CompletableFuture<>();
        final LongConsumer onProgress;
        volatile long lastProgress = -1;

        Outcome() {
            this(n -> { });
        }

        Outcome(LongConsumer onProgress) {
            this.onProgress = onProgress;
        }

        @Override
        public void progress(long bytesDone) {
            lastProgress = bytesDone;
            onProgress.accept(bytesDone);
        }

        @Override
        public void done(Delivery delivery) {
            end.complete(delivery);
        }

        @Override
        public void failed(Failure failure) {
            end.complete(failure);
        }

        Object await() throws Exception {
            return end.get(20, TimeUnit.SECONDS);
        }

        Delivery delivery() throws Exception {
            Object o = await();
            if (o instanceof Failure f) {
                throw new AssertionError("expected a delivery, got " + f);
            }
            return (Delivery) o;
        }

        Failure failure() throws Exception {
            Object o = await();
            if (o instanceof Delivery d) {
                throw new AssertionError("expected a failure, got " + d);
            }
            return (Failure) o;
        }
    }

    static Object run(Mover m, Job job) throws Exception {
        Outcome o = new Outcome();
        m.start(job, o);
        return o.await();
    }

    /**
     * An embedded Apache FtpServer on 127.0.0.1 with user {@code cam} (password {@code password}) whose home is
     * {@code home}, allowed to write. With {@code quotaBytes} &gt; 0 an upload is refused with 552 once the
     * home holds that much: a user quota as a hosting provider's FTP server has it (FtpServer has none built
     * in, so a small Ftplet checks the home's usage before each STOR/APPE).
     */
    static FtpServer embedded(Path home, String password, long quotaBytes) throws FtpException {
        FtpServerFactory server = new FtpServerFactory();
        ListenerFactory listener = new ListenerFactory();
        listener.setServerAddress("127.0.0.1");
        listener.setPort(0);
        DataConnectionConfigurationFactory data = new DataConnectionConfigurationFactory();
        data.setPassiveAddress("127.0.0.1");
        listener.setDataConnectionConfiguration(data.createDataConnectionConfiguration());
        server.addListener("default", listener.createListener());
        var users = new PropertiesUserManagerFactory().createUserManager();
        BaseUser cam = new BaseUser();
        cam.setName("cam");
        cam.setPassword(password);
        cam.setHomeDirectory(home.toString());
        cam.setAuthorities(List.of(new WritePermission()));
        users.save(cam);
        server.setUserManager(users);
        if (quotaBytes > 0) {
            server.setFtplets(new HashMap<>(Map.of("quota", new DefaultFtplet() {
                @Override
                public FtpletResult onUploadStart(org.apache.ftpserver.ftplet.FtpSession session, FtpRequest request)
                        throws FtpException, IOException {
                    return quota(session, quotaBytes);
                }

                @Override
                public FtpletResult onAppendStart(org.apache.ftpserver.ftplet.FtpSession session,
                        FtpRequest request) throws FtpException, IOException {
                    return quota(session, quotaBytes);
                }

                private FtpletResult quota(org.apache.ftpserver.ftplet.FtpSession session, long quota)
                        throws IOException {
                    long used;
                    try (Stream<Path> all = Files.walk(home)) {
                        used = all.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
                    }
                    if (used < quota) {
                        return FtpletResult.DEFAULT;
                    }
                    try {
                        session.write(new DefaultFtpReply(552, "Quota exceeded (" + used + " of " + quota
                                + " bytes used)."));
                    } catch (FtpException e) {
                        throw new IOException(e);
                    }
                    return FtpletResult.SKIP;
                }
            })));
        }
        FtpServer s = server.createServer();
        s.start();
        return s;
    }

    static int port(FtpServer s) {
        return ((org.apache.ftpserver.impl.DefaultFtpServer) s).getListener("default").getPort();
    }
}
