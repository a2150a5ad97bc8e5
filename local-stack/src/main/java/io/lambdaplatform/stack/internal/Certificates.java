package io.lambdaplatform.stack.internal;

import io.lambdaplatform.stack.StackStartException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A certificate authority for one stack and a key store per loopback address signed by it, made with the JDK's
 * {@code keytool}: EC keys (P-256, fast to make), certificates valid for ten years. All commands run in one JVM
 * ({@link KeytoolBatch}), as a JVM start costs more than the work. The stores' password reaches {@code keytool}
 * through the environment variable {@value #PASSWORD_VARIABLE} ({@code -storepass:env}), so it is on no command line.
 */
final class Certificates {
    private static final Logger log = LoggerFactory.getLogger(Certificates.class);

    private static final String PASSWORD_VARIABLE = "LAMBDA_STACK_STORE_PASSWORD";
    private static final Duration KEYTOOL_TIMEOUT = Duration.ofMinutes(2);
    private static final String VALIDITY_DAYS = "3650";

    private Certificates() {}

    static String keystoreName(int node) {
        return "node-" + node + ".p12";
    }

    /** Makes the authority, {@code truststore.p12} and {@code node-1.p12} … {@code node-N.p12} in {@code directory}. */
    static void generate(Path directory, int nodes, String storePassword) throws IOException {
        Instant start = Instant.now();
        Path ca = directory.resolve("ca.p12");
        Path caCertificate = directory.resolve("ca.pem");
        Path truststore = directory.resolve(ClusterSecurity.TRUSTSTORE_FILE);
        List<Path> intermediate = new ArrayList<>(List.of(ca, caCertificate));
        List<List<String>> commands = new ArrayList<>();
        commands.add(List.of("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=lambda local stack CA",
                "-ext", "bc:c", "-validity", VALIDITY_DAYS, "-keystore", ca.toString(), "-storetype", ClusterSecurity.STORE_TYPE));
        commands.add(List.of("-exportcert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-file", caCertificate.toString()));
        commands.add(List.of("-importcert", "-noprompt", "-alias", "ca", "-file", caCertificate.toString(), "-keystore", truststore.toString(),
                "-storetype", ClusterSecurity.STORE_TYPE));
        for (int node = 1; node <= nodes; node++) {
            // node-N.p12: a key for 127.0.0.N, its certificate signed by the authority, and the authority's certificate.
            String address = LoopbackHosts.of(node);
            Path keystore = directory.resolve(keystoreName(node));
            Path request = directory.resolve("node-" + node + ".csr");
            Path certificate = directory.resolve("node-" + node + ".pem");
            intermediate.addAll(List.of(request, certificate));
            commands.add(List.of("-genkeypair", "-alias", "node", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + address,
                    "-validity", VALIDITY_DAYS, "-keystore", keystore.toString(), "-storetype", ClusterSecurity.STORE_TYPE));
            commands.add(List.of("-certreq", "-alias", "node", "-keystore", keystore.toString(), "-file", request.toString()));
            commands.add(List.of("-gencert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-infile", request.toString(),
                    "-outfile", certificate.toString(), "-ext", "san=" + subjectAlternativeNames(address), "-validity", VALIDITY_DAYS));
            commands.add(List.of("-importcert", "-noprompt", "-alias", "ca", "-file", caCertificate.toString(), "-keystore", keystore.toString()));
            commands.add(List.of("-importcert", "-alias", "node", "-file", certificate.toString(), "-keystore", keystore.toString()));
        }
        try {
            for (Path stale : List.of(ca, caCertificate, truststore)) {
                Files.deleteIfExists(stale);
            }
            for (int node = 1; node <= nodes; node++) {
                Files.deleteIfExists(directory.resolve(keystoreName(node)));
            }
            keytool(commands, storePassword);
        }
        finally {
            // Nobody signs anything with this authority again.
            for (Path file : intermediate) {
                Files.deleteIfExists(file);
            }
        }
        try (var files = Files.list(directory)) {
            for (Path file : files.toList()) {
                Files.setPosixFilePermissions(file, ConfigFiles.OWNER_ONLY);
            }
        }
        log.info("Made a certificate authority and the key stores of {} nodes in {} in {} s", nodes, directory,
                Duration.between(start, Instant.now()).toMillis() / 1000.0);
    }

    /**
     * {@code ip:127.0.0.N}, and the name the address has in {@code /etc/hosts} ({@code localhost} for 127.0.0.1) when it
     * has one: the Cassandra driver checks a certificate against that name when it may look addresses up in reverse,
     * as it does by default ({@code advanced.ssl-engine-factory.allow-dns-reverse-lookup-san}).
     */
    static String subjectAlternativeNames(String address) {
        String name;
        try {
            name = InetAddress.getByName(address).getCanonicalHostName();
        }
        catch (UnknownHostException e) {
            name = address;
        }
        return name.equals(address) ? "ip:" + address : "ip:" + address + ",dns:" + name;
    }

    /** Runs the keytool commands in order, in one JVM ({@link KeytoolBatch}); fails on the first that fails. */
    private static void keytool(List<List<String>> commands, String storePassword) {
        List<String> command = List.of(ChildJvm.javaExecutable().toString(), "--add-exports", "java.base/sun.security.tools.keytool=ALL-UNNAMED",
                "-XX:TieredStopAtLevel=1", "-cp", ChildJvm.watchdogLocation().toString(), KeytoolBatch.class.getName());
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().put(PASSWORD_VARIABLE, storePassword);
            Process process = builder.start();
            try (var stdin = process.getOutputStream()) {
                for (List<String> arguments : commands) {
                    List<String> withPassword = new ArrayList<>(arguments);
                    withPassword.addAll(List.of("-storepass:env", PASSWORD_VARIABLE));
                    stdin.write((String.join("\u0000", withPassword) + "\n").getBytes(StandardCharsets.UTF_8));
                }
            }
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(KEYTOOL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new StackStartException("keytool did not finish within " + KEYTOOL_TIMEOUT);
            }
            if (process.exitValue() != 0) {
                throw new StackStartException("keytool failed with exit code " + process.exitValue() + ":\n" + new String(output, StandardCharsets.UTF_8));
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot run " + command, e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackStartException("Interrupted while running " + command, e);
        }
    }
}
