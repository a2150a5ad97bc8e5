package io.lambdaplatform.stack.internal;

import io.lambdaplatform.stack.StackStartException;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;

/** Polls an attempt until it succeeds, the server's JVM exits, or a deadline passes. */
public final class Readiness {
    private static final Duration PAUSE = Duration.ofMillis(250);
    private static final int LOG_TAIL_LINES = 30;

    private Readiness() {}

    /** Waits until a TCP connection to the port succeeds, so that clients do not log failed attempts. */
    public static void awaitPort(ChildJvm jvm, Instant deadline, int port) {
        await(jvm, deadline, jvm.name() + " listens on " + LoopbackPorts.HOST + ":" + port, () -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(LoopbackPorts.HOST, port), (int) PAUSE.toMillis());
            }
            return null;
        });
    }

    public static <T> T await(ChildJvm jvm, Instant deadline, String what, Callable<T> attempt) {
        Exception lastFailure = null;
        while (true) {
            if (!jvm.isAlive()) {
                throw new StackStartException(jvm.name() + " exited while waiting until " + what + "; last lines of " + jvm.logFile() + ":\n"
                        + jvm.logTail(LOG_TAIL_LINES), lastFailure);
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
                throw new StackStartException("Timed out waiting until " + what + "; last failure: " + lastFailure
                        + "; last lines of " + jvm.logFile() + ":\n" + jvm.logTail(LOG_TAIL_LINES), lastFailure);
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
