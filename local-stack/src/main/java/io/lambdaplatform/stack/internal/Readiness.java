package io.lambdaplatform.stack.internal;

import io.lambdaplatform.stack.StackStartException;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;

/** Polls an attempt until it succeeds, the server's JVM exits, or a deadline passes. */
public final class Readiness {
    private static final Duration PAUSE = Duration.ofMillis(250);
    private static final int LOG_TAIL_LINES = 30;

    private Readiness() {}

    /** Waits until a TCP connection to the port succeeds, so that clients do not log failed attempts. */
    public static void awaitPort(ChildJvm jvm, Instant deadline, int port) {
        awaitPort(jvm, deadline, LoopbackPorts.HOST, port);
    }

    /** Waits until a TCP connection to the port of that (loopback) address succeeds. */
    public static void awaitPort(ChildJvm jvm, Instant deadline, String host, int port) {
        await(jvm, deadline, jvm.name() + " listens on " + host + ":" + port, () -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(host, port), (int) PAUSE.toMillis());
            }
            return null;
        });
    }

    public static <T> T await(ChildJvm jvm, Instant deadline, String what, Callable<T> attempt) {
        return await(List.of(jvm), deadline, what, attempt);
    }

    /** Polls until the attempt succeeds; fails as soon as one of the JVMs exits, or at the deadline. */
    public static <T> T await(List<ChildJvm> jvms, Instant deadline, String what, Callable<T> attempt) {
        Exception lastFailure = null;
        while (true) {
            for (ChildJvm jvm : jvms) {
                if (!jvm.isAlive()) {
                    throw new StackStartException(jvm.name() + " exited while waiting until " + what + "; last lines of " + jvm.logFile() + ":\n"
                            + jvm.logTail(LOG_TAIL_LINES), lastFailure);
                }
            }
            try {
                return attempt.call();
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StackStartException("Interrupted while waiting until " + what, e);
            }
            catch (Exception e) {
                lastFailure = e;
            }
            if (Instant.now().isAfter(deadline)) {
                StringBuilder tails = new StringBuilder();
                for (ChildJvm jvm : jvms) {
                    tails.append("; last lines of ").append(jvm.logFile()).append(":\n").append(jvm.logTail(LOG_TAIL_LINES));
                }
                throw new StackStartException("Timed out waiting until " + what + "; last failure: " + lastFailure + tails, lastFailure);
            }
            try {
                Thread.sleep(PAUSE.toMillis());
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StackStartException("Interrupted while waiting until " + what, e);
            }
        }
    }
}
