package fff.sender.ftp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import javax.net.SocketFactory;
import org.apache.commons.net.ftp.FTPClient;

/**
 * A plain-FTP client whose sockets come from {@link SocketChannel}s, so that an upload can write direct buffers
 * to the data connection ({@link #dataChannel}) instead of copying each chunk into a heap array for the stream
 * and the JDK copying it out again. Streams, timeouts and buffer settings are the socket's as before.
 */
final class ChannelFtpClient extends FTPClient {

    private Socket data;

    ChannelFtpClient() {
        setSocketFactory(new ChannelSocketFactory());
    }

    /** The channel of the data connection opened last, or null (active mode: accepted sockets have none). */
    SocketChannel dataChannel() {
        Socket s = data;
        return s == null ? null : s.getChannel();
    }

    @Override
    protected Socket _openDataConnection_(String command, String arg) throws IOException {
        data = super._openDataConnection_(command, arg);
        return data;
    }

    /** Unconnected channel sockets; commons-net connects them itself (with its connect timeout). */
    private static final class ChannelSocketFactory extends SocketFactory {
        @Override
        public Socket createSocket() throws IOException {
            return SocketChannel.open().socket();
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return SocketChannel.open(new InetSocketAddress(host, port)).socket();
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return SocketChannel.open(new InetSocketAddress(host, port)).socket();
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            Socket s = createSocket();
            s.bind(new InetSocketAddress(localHost, localPort));
            s.connect(new InetSocketAddress(host, port));
            return s;
        }

        @Override
        public Socket createSocket(InetAddress host, int port, InetAddress localHost, int localPort)
                throws IOException {
            Socket s = createSocket();
            s.bind(new InetSocketAddress(localHost, localPort));
            s.connect(new InetSocketAddress(host, port));
            return s;
        }
    }
}
