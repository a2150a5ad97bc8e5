package io.lambdaplatform.model.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;

class EntrypointTest {

    @Command(name = "probe")
    static final class Probe implements Callable<Integer> {
        @Mixin
        ConfigSourceOptions source;

        @Option(names = "--fail")
        boolean fail;

        @Option(names = "--error")
        boolean error;

        @Override
        public Integer call() {
            if (error) {
                throw new NoClassDefFoundError("io/lambdaplatform/model/EventVerdict");
            }
            if (fail) {
                throw new UncheckedIOException("Cannot read stack endpoints /d/endpoints.json", new IOException("No such file"));
            }
            return Entrypoint.OK;
        }
    }

    private final StringWriter err = new StringWriter();

    private int run(Probe probe, String... args) {
        CommandLine commandLine = new CommandLine(probe).setErr(new PrintWriter(err, true));
        return Entrypoint.execute(commandLine, args);
    }

    @Test
    void aFailureIsOneLineOnStderrAndExitCodeOne() {
        assertThat(run(new Probe(), "--fail")).isEqualTo(Entrypoint.FAILED);
        assertThat(err.toString()).isEqualTo("probe: Cannot read stack endpoints /d/endpoints.json: No such file" + System.lineSeparator());
    }

    @Test
    void anErrorIsOneLineOnStderrAndExitCodeOneToo() {
        assertThat(run(new Probe(), "--error")).isEqualTo(Entrypoint.FAILED);
        assertThat(err.toString()).isEqualTo("probe: io/lambdaplatform/model/EventVerdict" + System.lineSeparator());
    }

    @Test
    void aWrongCommandLineIsExitCodeTwo() {
        assertThat(run(new Probe(), "--no-such-option")).isEqualTo(Entrypoint.USAGE);
        assertThat(err.toString()).contains("Unknown option: '--no-such-option'");
    }

    @Test
    void theMixinReadsStackAndConfig() {
        Probe probe = new Probe();

        assertThat(run(probe, "--stack", "/d", "--config", "/etc/lambda.conf")).isEqualTo(Entrypoint.OK);
        assertThat(probe.source.stackDir()).isEqualTo(Path.of("/d"));
        assertThat(probe.source.configFile()).isEqualTo(Path.of("/etc/lambda.conf"));
    }
}
