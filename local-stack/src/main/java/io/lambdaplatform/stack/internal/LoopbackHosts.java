package io.lambdaplatform.stack.internal;

import java.util.List;
import java.util.stream.IntStream;

/** The loopback addresses of a cluster's nodes: node N listens on {@code 127.0.0.N} (all loopback on Linux). */
public final class LoopbackHosts {
    private static final int MAX_NODES = 254;

    private LoopbackHosts() {}

    /** The address of node {@code number}, 1-based: {@code 127.0.0.1} for the first. */
    public static String of(int number) {
        if (number < 1 || number > MAX_NODES) {
            throw new IllegalArgumentException("Node number " + number + " is not in 1.." + MAX_NODES);
        }
        return "127.0.0." + number;
    }

    /** The addresses of nodes 1 to {@code count}. */
    public static List<String> first(int count) {
        return IntStream.rangeClosed(1, count).mapToObj(LoopbackHosts::of).toList();
    }
}
