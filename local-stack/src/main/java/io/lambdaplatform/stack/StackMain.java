package io.lambdaplatform.stack;

import io.lambdaplatform.model.cli.Entrypoint;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The command line of the local runtime: {@code StackMain stack --data-dir D [--fresh] [--partitions N]}, as run by
 * {@code ./lambda stack}; {@code StackMain local [--data-dir D] [--http-port P] ...}, as run by {@code ./lambda local};
 * and {@code StackMain provision --config FILE}, as run by {@code ./lambda provision} and the container image.
 */
@Command(name = "lambda",
        description = "The Lambda Platform's local runtime.",
        subcommands = {StackCommand.class, LocalCommand.class, ProvisionCommand.class})
public final class StackMain {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    private static final String LOGBACK_CONFIGURATION = "io/lambdaplatform/stack/launcher-logback.xml";

    private StackMain() {}

    public static void main(String[] args) {
        // Before the first logger exists: the launcher's short console messages, not the libraries' debug output.
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", LOGBACK_CONFIGURATION);
        }
        CommandLine commandLine = new CommandLine(new StackMain());
        commandLine.setExecutionStrategy(new CommandLine.RunLast());
        int exitCode = Entrypoint.execute(commandLine, args);
        if (commandLine.getParseResult() != null && !commandLine.getParseResult().hasSubcommand() && !commandLine.isUsageHelpRequested()) {
            commandLine.usage(commandLine.getErr());
            exitCode = Entrypoint.USAGE;
        }
        System.exit(exitCode);
    }
}
