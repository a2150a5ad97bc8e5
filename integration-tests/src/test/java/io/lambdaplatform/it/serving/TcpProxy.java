package io.lambdaplatform.it.serving;

import io.lambdaplatform.model.config.HostPort;
import io.lambdaplatform.stack.internal.LoopbackPorts;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay on a fixed loopback port in front of a real server, that a test can cut and restore:
 * while it is {@link #cut()}, connections are refused and open ones are closed, as if the server
 * were down. The real server behind it keeps running for the other tests.
 */
final class TcpProxy implements AutoCloseable {

    private final int port;
    private final String targetHost;
    private final int targetPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile ServerSocket listener;

    private TcpProxy(int port, String targetHost, int targetPort) {
        this.port = port;
        this.targetHost = targetHost;
        this.targetPort = targetPort;
    }

    /** A proxy to {@code host:port} on a free port, not listening yet. */
    static TcpProxy to(String hostAndPort) {
        HostPort target = HostPort.parse(hostAndPort, "proxy target");
        return new TcpProxy(LoopbackPorts.allocateOne(), target.host(), target.port());
    }

    String address() {
        return "127.0.0.1:" + port;
    }

    synchronized void restore() {
        try {
            ServerSocket socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("127.0.0.1", port));
            listener = socket;
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot listen on " + port, e);
        }
        ServerSocket accepting = listener;
        Thread acceptor = new Thread(() -> accept(accepting), "proxy-accept-" + port);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    synchronized void cut() {
        ServerSocket current = listener;
        listener = null;
        closeQuietly(current);
        sockets.forEach(TcpProxy::closeQuietly);
        sockets.clear();
    }

    @Override
    public void close() {
        cut();
    }

    private void accept(ServerSocket accepting) {
        while (!accepting.isClosed()) {
            try {
                Socket client = accepting.accept();
                Socket server = new Socket(targetHost, targetPort);
                sockets.add(client);
                sockets.add(server);
                pipe(client, server);
                pipe(server, client);
            }
            catch (IOException e) {
                // the listener was closed by cut(), or the target refused: the client sees a closed connection
            }
        }
    }

    private void pipe(Socket from, Socket to) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, read);
                    out.flush();
                }
            }
            catch (IOException e) {
                // one side closed: close the other below
            }
            finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "proxy-pipe-" + port);
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        }
        catch (Exception e) {
            // closing a socket that is already gone
        }
    }
}
