package io.lambdaplatform.stack.internal;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class LoopbackPortsTest {
    @Test
    void portsAreBelowTheEphemeralRangeAndNeverHandedOutTwice() throws IOException {
        int ephemeralStart = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim().split("\\s+")[0]);
        List<Integer> ports = new ArrayList<>(LoopbackPorts.allocate(50));
        for (int call = 0; call < 50; call++) {
            ports.add(LoopbackPorts.allocateOne());
        }

        assertThat(ports).hasSize(100).allMatch(port -> port >= 10_000 && port < ephemeralStart);
        assertThat(new HashSet<>(ports)).hasSize(100);
    }

    @Test
    void aClusterPortIsFreeOnEveryNodeAddress() throws IOException {
        List<String> hosts = LoopbackHosts.first(3);
        List<Integer> ports = LoopbackPorts.allocate(4, hosts);

        Set<ServerSocket> bound = new HashSet<>();
        try {
            for (int port : ports) {
                for (String host : hosts) {
                    bound.add(new ServerSocket(port, 1, InetAddress.getByName(host)));
                }
            }
            assertThat(bound).hasSize(12);
        }
        finally {
            for (ServerSocket socket : bound) {
                socket.close();
            }
        }
    }
}
