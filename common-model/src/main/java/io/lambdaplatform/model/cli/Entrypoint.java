package io.lambdaplatform.model.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * The one error policy of every deployable's {@code main}: a failure is one line for the user on stderr
 * ({@code <command>: <message>}) and its stack trace in the log (at DEBUG for an {@link IllegalArgumentException},
 * which is how a bad configuration value or key fails: the line says all), and the process exits with a documented
 * code:
 *
 * <ul>
 *   <li>{@value #OK}: done (or still running until stopped, for the services);</li>
 *   <li>{@value #FAILED}: the command failed (bad configuration, a server that does not answer, a failed run, an
 *   {@link Error});</li>
 *   <li>{@value #USAGE}: the command line is wrong (picocli's usage message).</li>
 * </ul>
 */
public final class Entrypoint {

    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;

    private static final Logger LOG = LoggerFactory.getLogger(Entrypoint.class);

    private Entrypoint() {}

    /** Runs {@code command} (a picocli command) with {@code args} and exits the JVM with its code. */
    public static void run(Object command, String[] args) {
        System.exit(execute(new CommandLine(command), args));
    }

    /** Runs the command line with the error policy above and returns the exit code. */
    public static int execute(CommandLine commandLine, String[] args) {
        commandLine.setExecutionExceptionHandler((error, failed, parsed) -> {
            String name = failed.getCommandSpec().qualifiedName();
            if (error instanceof IllegalArgumentException) {
                LOG.debug("{} failed", name, error);
            }
            else {
                LOG.error("{} failed", name, error);
            }
            failed.getErr().println(name + ": " + describe(error));
            failed.getErr().flush();
            return FAILED;
        });
        try {
            return commandLine.execute(args);
        }
        catch (Error error) {
            // picocli hands only exceptions to the handler. An error (a class missing from a jar rebuilt under the JVM)
            // used to end the main thread alone, and the JVM lived on in the threads the command had started.
            String name = commandLine.getCommandSpec().qualifiedName();
            LOG.error("{} failed", name, error);
            commandLine.getErr().println(name + ": " + describe(error));
            commandLine.getErr().flush();
            return FAILED;
        }
    }

    /** The message, or the exception's type when it has none; the causes' messages when they add something. */
    static String describe(Throwable error) {
        StringBuilder text = new StringBuilder(error.getMessage() != null ? error.getMessage() : error.getClass().getSimpleName());
        for (Throwable cause = error.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            if (cause.getMessage() != null && !text.toString().contains(cause.getMessage())) {
                text.append(": ").append(cause.getMessage());
            }
        }
        return text.toString();
    }
}
