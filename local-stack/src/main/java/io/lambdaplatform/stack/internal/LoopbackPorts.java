package io.lambdaplatform.stack.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/** Free TCP ports on loopback addresses. */
public final class LoopbackPorts {
    public static final String HOST = "127.0.0.1";
    private static final int ATTEMPTS = 50;

    private LoopbackPorts() {}

    /**
     * Returns {@code count} distinct ports that were free a moment ago. All sockets are held open until every
     * port is chosen, so the ports differ from each other.
     */
    public static List<Integer> allocate(int count) {
        return allocate(count, List.of(HOST));
    }

    /**
     * Returns {@code count} distinct ports that were free a moment ago on every one of {@code hosts} (loopback
     * addresses such as {@code 127.0.0.2}), for servers that listen on the same port, one address each.
     */
    public static List<Integer> allocate(int count, List<String> hosts) {
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("no hosts to allocate ports on");
        }
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            List<Integer> ports = new ArrayList<>();
            for (int attempt = 0; ports.size() < count; attempt++) {
                if (attempt >= count * ATTEMPTS) {
                    throw new IllegalStateException("Found only " + ports.size() + " of " + count + " ports free on all of " + hosts);
                }
                ServerSocket first = new ServerSocket(0, 1, InetAddress.getByName(hosts.get(0)));
                sockets.add(first);
                if (freeOnOthers(first.getLocalPort(), hosts.subList(1, hosts.size()), sockets)) {
                    ports.add(first.getLocalPort());
                }
            }
            return List.copyOf(ports);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot find " + count + " free ports on " + hosts, e);
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

    private static boolean freeOnOthers(int port, List<String> others, List<ServerSocket> held) throws IOException {
        for (String host : others) {
            try {
                held.add(new ServerSocket(port, 1, InetAddress.getByName(host)));
            }
            catch (java.net.BindException taken) {
                return false;
            }
        }
        return true;
    }
}
