package fff.common.wire;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Picks Netty's native epoll transport where it loads, NIO otherwise (said once in the log). */
public final class Transports {

    private static final Logger LOG = LoggerFactory.getLogger(Transports.class);
    private static final AtomicBoolean ANNOUNCED = new AtomicBoolean();

    private Transports() {}

    public static boolean nativeEpoll() {
        boolean epoll = !Boolean.getBoolean("fff.nio") && Epoll.isAvailable();
        if (ANNOUNCED.compareAndSet(false, true)) {
            if (epoll) {
                LOG.debug("transport: native epoll");
            } else {
                LOG.info("transport: Java NIO (native epoll unavailable: {})",
                        Boolean.getBoolean("fff.nio") ? "fff.nio set" : Epoll.unavailabilityCause());
            }
        }
        return epoll;
    }

    public static EventLoopGroup group(int threads, String name) {
        IoHandlerFactory factory = nativeEpoll() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), factory);
    }

    public static Class<? extends SocketChannel> socketChannel() {
        return nativeEpoll() ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    public static Class<? extends ServerChannel> serverChannel() {
        return nativeEpoll() ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }
}
