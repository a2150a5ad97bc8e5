package io.lambdaplatform.stack.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/** Free TCP ports on the loopback address. */
public final class LoopbackPorts {
    public static final String HOST = "127.0.0.1";

    private LoopbackPorts() {}

    /**
     * Returns {@code count} distinct ports that were free a moment ago. All sockets are held open until every
     * port is chosen, so the ports differ from each other.
     */
    public static List<Integer> allocate(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                sockets.add(new ServerSocket(0, 1, InetAddress.getByName(HOST)));
            }
            return sockets.stream().map(ServerSocket::getLocalPort).toList();
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot find " + count + " free ports on " + HOST, e);
        }
        finally {
            for (ServerSocket socket : sockets) {
                try {
                    socket.close();
                }
                catch (IOException ignored) {
                    // the port was only probed; nothing to clean up
                }
            }
        }
    }
}
