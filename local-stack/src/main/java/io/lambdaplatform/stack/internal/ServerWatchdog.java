package io.lambdaplatform.stack.internal;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

/**
 * The main class of every server child JVM: {@code ServerWatchdog <launcher-pid> <server-main-class> <server-args…>}.
 *
 * <p>It runs the server's own {@code main} in this JVM and ties the server's life to the launcher's: when the
 * launcher's pid is gone or this JVM's stdin (a pipe the launcher holds open) reaches end-of-file, it calls
 * {@code System.exit}, which runs the server's shutdown hooks (Kafka's controlled shutdown, Cassandra's drain).
 * If they hang, the JVM is halted after {@link #HALT_AFTER}. So a launcher killed by {@code kill -9} leaves no
 * orphaned server behind.
 *
 * <p>This class runs on the server's classpath and must use nothing but the JDK; it writes its few messages to
 * stderr, which is the server's log file.
 */
public final class ServerWatchdog {
    static final Duration HALT_AFTER = Duration.ofSeconds(45);

    private ServerWatchdog() {}

    public static void main(String[] args) throws Throwable {
        if (args.length < 2) {
            System.err.println("usage: ServerWatchdog <launcher-pid> <server-main-class> [server-args...]");
            System.exit(2);
        }
        long launcherPid = Long.parseLong(args[0]);
        String serverMainClass = args[1];
        String[] serverArgs = Arrays.copyOfRange(args, 2, args.length);

        Optional<ProcessHandle> launcher = ProcessHandle.of(launcherPid);
        if (launcher.isEmpty()) {
            exitBecause("launcher process " + launcherPid + " is gone before the server started");
        }
        launcher.get().onExit().thenRun(() -> exitBecause("launcher process " + launcherPid + " exited"));
        Thread stdinWatch = new Thread(() -> watchStdin(System.in), "watchdog-stdin");
        stdinWatch.setDaemon(true);
        stdinWatch.start();

        Method main = Class.forName(serverMainClass).getMethod("main", String[].class);
        try {
            main.invoke(null, (Object) serverArgs);
        }
        catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static void watchStdin(InputStream stdin) {
        byte[] buffer = new byte[256];
        try {
            while (stdin.read(buffer) != -1) {
                // the launcher never writes; anything read is ignored
            }
            exitBecause("stdin reached end-of-file: the launcher is gone");
        }
        catch (IOException e) {
            exitBecause("stdin failed (" + e.getMessage() + "): the launcher is gone");
        }
    }

    private static synchronized void exitBecause(String reason) {
        System.err.println("[server-watchdog] " + reason + "; stopping the server");
        Thread halt = new Thread(() -> {
            try {
                Thread.sleep(HALT_AFTER.toMillis());
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            System.err.println("[server-watchdog] the server did not stop within " + HALT_AFTER + "; halting");
            Runtime.getRuntime().halt(3);
        }, "watchdog-halt");
        halt.setDaemon(true);
        halt.start();
        System.exit(0);
    }
}
