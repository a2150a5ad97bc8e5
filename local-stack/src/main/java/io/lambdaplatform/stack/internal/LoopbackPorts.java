package io.lambdaplatform.stack.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Free TCP ports on loopback addresses, chosen below the kernel's ephemeral range.
 *
 * <p>A port is chosen here some seconds before its server binds it (Cassandra binds its CQL port tens of seconds after
 * it starts). A port from the ephemeral range could meanwhile be handed to any socket bound to port 0 or to an
 * outgoing connection, of any process: a Spark worker once took, for its RPC port, the port chosen for its web UI.
 * Below that range the kernel hands out no port on its own. Within the JVM, each port is handed out once: a cursor
 * walks the range from a random place, so two stacks started by one JVM never share a port, and stacks of two JVMs
 * rarely do.
 */
public final class LoopbackPorts {
    public static final String HOST = "127.0.0.1";
    private static final int ATTEMPTS = 50;
    /** Below this, ports are commonly given to services by hand. */
    private static final int LOWEST = 10_000;
    /** The start of Linux's default ephemeral range, where {@code ip_local_port_range} cannot be read. */
    private static final int DEFAULT_EPHEMERAL_START = 32_768;
    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

    private static final int END = ephemeralStart();
    private static final AtomicInteger CURSOR = new AtomicInteger(ThreadLocalRandom.current().nextInt(END - LOWEST));

    private LoopbackPorts() {}

    /**
     * Returns {@code count} distinct ports that were free a moment ago. All sockets are held open until every
     * port is chosen, so the ports differ from each other.
     */
    public static List<Integer> allocate(int count) {
        return allocate(count, List.of(HOST));
    }

    /** One port that was free a moment ago on {@link #HOST}. */
    public static int allocateOne() {
        return allocate(1).get(0);
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
                int port = LOWEST + Math.floorMod(CURSOR.getAndIncrement(), END - LOWEST);
                if (freeOnAll(port, hosts, sockets)) {
                    ports.add(port);
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

    private static boolean freeOnAll(int port, List<String> hosts, List<ServerSocket> held) throws IOException {
        for (String host : hosts) {
            try {
                held.add(new ServerSocket(port, 1, InetAddress.getByName(host)));
            }
            catch (BindException taken) {
                return false;
            }
        }
        return true;
    }

    /** The first port of the ephemeral range, or the Linux default where it cannot be read or leaves too little below. */
    private static int ephemeralStart() {
        try {
            // In one read: a sysctl file read on from an offset past 0 ends there, which Files.readString does.
            int start = Integer.parseInt(Files.readAllLines(EPHEMERAL_RANGE).get(0).trim().split("\\s+")[0]);
            return start >= LOWEST + 1_000 ? start : DEFAULT_EPHEMERAL_START;
        }
        catch (IOException | RuntimeException unreadable) {
            return DEFAULT_EPHEMERAL_START;
        }
    }
}
