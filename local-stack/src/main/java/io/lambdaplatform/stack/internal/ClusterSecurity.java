package io.lambdaplatform.stack.internal;

import io.lambdaplatform.stack.StackSecurity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.IntStream;

import static java.util.Objects.requireNonNull;

/**
 * The secrets and certificates of a secured cluster stack, under {@code DATA_DIR/tls} (a directory only its owner
 * may enter): generated on the first start, kept for the next ones.
 *
 * <ul>
 *   <li>{@code passwords.properties}: the key and trust stores' password, the SCRAM passwords of the brokers' own
 *       user {@value #KAFKA_BROKER_USER} and of the platform's user {@value #KAFKA_CLIENT_USER}, and the password of
 *       the Cassandra role {@value #CASSANDRA_USER}; random, 48 hex digits each;</li>
 *   <li>{@code node-N.p12}: the PKCS12 key store of the servers on {@code 127.0.0.N} (Kafka broker N and Cassandra
 *       node N): an EC key and its certificate with {@code SAN IP:127.0.0.N}, signed by a certificate authority made for
 *       this stack only;</li>
 *   <li>{@code truststore.p12}: that authority's certificate, which every client trusts. The authority's key is
 *       deleted once the node certificates are signed, so no other certificate can be made with it.</li>
 * </ul>
 *
 * All of them are owner-only ({@code 0600}). The certificates are made with the JDK's {@code keytool} (of the running
 * JVM's {@code java.home}), which takes the store password from an environment variable, never from its command line.
 */
public final class ClusterSecurity {
    private static final Logger log = LoggerFactory.getLogger(ClusterSecurity.class);

    public static final String DIRECTORY = "tls";
    public static final String PASSWORDS_FILE = "passwords.properties";
    public static final String TRUSTSTORE_FILE = "truststore.p12";
    public static final String STORE_TYPE = "PKCS12";
    public static final String SCRAM_MECHANISM = "SCRAM-SHA-512";
    /** The SCRAM user the brokers talk to each other as. */
    public static final String KAFKA_BROKER_USER = "broker";
    /** The SCRAM user of the platform's Kafka clients and of the launcher's admin client. */
    public static final String KAFKA_CLIENT_USER = "lambda";
    /** The Cassandra role of the platform and of the launcher, a superuser (there is no authorizer). */
    public static final String CASSANDRA_USER = "lambda";
    /** Cassandra's default superuser: used once, to create {@value #CASSANDRA_USER}, then dropped. */
    public static final String CASSANDRA_DEFAULT_USER = "cassandra";

    private static final String STORE_PASSWORD = "store.password";
    private static final String KAFKA_BROKER_PASSWORD = "kafka.broker.password";
    private static final String KAFKA_CLIENT_PASSWORD = "kafka.lambda.password";
    private static final String CASSANDRA_PASSWORD = "cassandra.lambda.password";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path directory;
    private final int nodes;
    private final Properties passwords;

    private ClusterSecurity(Path directory, int nodes, Properties passwords) {
        this.directory = requireNonNull(directory, "directory is null");
        this.nodes = nodes;
        this.passwords = requireNonNull(passwords, "passwords is null");
    }

    /**
     * The secrets and certificates of the stack in {@code dataDir} for {@code nodes} addresses: those of an earlier
     * start when they are all there, otherwise new ones (the passwords are kept when only a store is missing).
     */
    public static ClusterSecurity prepare(Path dataDir, int nodes) {
        Path directory = dataDir.resolve(DIRECTORY);
        try {
            Files.createDirectories(directory);
            Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
            Properties passwords = loadOrGeneratePasswords(directory.resolve(PASSWORDS_FILE));
            ClusterSecurity security = new ClusterSecurity(directory, nodes, passwords);
            boolean complete = Files.isRegularFile(security.truststore())
                    && IntStream.rangeClosed(1, nodes).allMatch(node -> Files.isRegularFile(security.keystore(node)));
            if (!complete) {
                Certificates.generate(directory, nodes, security.storePassword());
            }
            return security;
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare the certificates and passwords in " + directory, e);
        }
    }

    private static Properties loadOrGeneratePasswords(Path file) throws IOException {
        Properties passwords = new Properties();
        if (Files.isRegularFile(file)) {
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                passwords.load(in);
            }
        }
        boolean added = false;
        for (String key : List.of(STORE_PASSWORD, KAFKA_BROKER_PASSWORD, KAFKA_CLIENT_PASSWORD, CASSANDRA_PASSWORD)) {
            if (passwords.getProperty(key, "").isEmpty()) {
                passwords.setProperty(key, randomPassword());
                added = true;
            }
        }
        if (added) {
            StringBuilder content = new StringBuilder("# Generated by local-stack: the passwords of this secured stack. Owner-only; never logged.\n");
            passwords.stringPropertyNames().stream().sorted().forEach(key -> content.append(key).append('=').append(passwords.getProperty(key)).append('\n'));
            ConfigFiles.writeOwnerOnly(file, content.toString());
            log.info("Generated the passwords of the secured stack in {}", file);
        }
        return passwords;
    }

    /** 48 hex digits: safe unquoted in a JAAS line, a CQL string, YAML and Kafka's {@code --add-scram}. */
    static String randomPassword() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    public Path directory() {
        return directory;
    }

    public Path truststore() {
        return directory.resolve(TRUSTSTORE_FILE);
    }

    /** The key store of the servers on {@code 127.0.0.N}. */
    public Path keystore(int node) {
        if (node < 1 || node > nodes) {
            throw new IllegalArgumentException("Node " + node + " is not in 1.." + nodes);
        }
        return directory.resolve(Certificates.keystoreName(node));
    }

    /** The password of every key store and of the trust store. */
    public String storePassword() {
        return passwords.getProperty(STORE_PASSWORD);
    }

    public String kafkaBrokerPassword() {
        return passwords.getProperty(KAFKA_BROKER_PASSWORD);
    }

    public String kafkaClientPassword() {
        return passwords.getProperty(KAFKA_CLIENT_PASSWORD);
    }

    public String cassandraPassword() {
        return passwords.getProperty(CASSANDRA_PASSWORD);
    }

    /** Every password this stack generated, for tests that look for them where they must not be. */
    public List<String> passwords() {
        return List.of(storePassword(), kafkaBrokerPassword(), kafkaClientPassword(), cassandraPassword());
    }

    /** The JAAS line of Kafka's SCRAM login for {@code user}. */
    public static String scramJaasConfig(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user + "\" password=\"" + password + "\";";
    }

    /** What a Kafka client of this stack sets: SASL_SSL, SCRAM-SHA-512 as {@value #KAFKA_CLIENT_USER}, the trust store. */
    public Map<String, String> kafkaClientProperties() {
        return Map.of(
                "security.protocol", "SASL_SSL",
                "sasl.mechanism", SCRAM_MECHANISM,
                "sasl.jaas.config", scramJaasConfig(KAFKA_CLIENT_USER, kafkaClientPassword()),
                "ssl.truststore.type", STORE_TYPE,
                "ssl.truststore.location", truststore().toString(),
                "ssl.truststore.password", storePassword());
    }

    /** What goes into {@code endpoints.json} for the deployables. */
    public StackSecurity endpoints() {
        return new StackSecurity(kafkaClientProperties(), CASSANDRA_USER, cassandraPassword(), truststore().toString(), storePassword());
    }

    /** The passwords are left out, so this may be logged. */
    @Override
    public String toString() {
        return "ClusterSecurity[" + directory + ", " + nodes + " nodes]";
    }
}
