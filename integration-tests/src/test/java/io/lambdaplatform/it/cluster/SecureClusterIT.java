package io.lambdaplatform.it.cluster;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.auth.AuthenticationException;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import io.lambdaplatform.generator.EventGenerator;
import io.lambdaplatform.generator.GeneratorSettings;
import io.lambdaplatform.it.exactness.ServingAnswers;
import io.lambdaplatform.it.exactness.Truth;
import io.lambdaplatform.it.exactness.TruthSender;
import io.lambdaplatform.it.layers.LayerProcess;
import io.lambdaplatform.it.stack.ChildJvmTestStack;
import io.lambdaplatform.model.config.KafkaSettings;
import io.lambdaplatform.model.config.PlatformConfig;
import io.lambdaplatform.stack.LocalStack;
import io.lambdaplatform.stack.RunningStack;
import io.lambdaplatform.stack.StackEndpoints;
import io.lambdaplatform.stack.StackOptions;
import io.lambdaplatform.viewstore.CassandraSettings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.io.Reader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The secured cluster stack ({@code --cluster --secure}): Kafka on SASL_SSL with SCRAM-SHA-512, Cassandra with password
 * authentication and client TLS required, certificates made at start-up. A plaintext Kafka client, a wrong SCRAM
 * password, a Cassandra session without TLS, one without credentials and one as the default superuser are all refused;
 * {@code endpoints.json} and every file holding a secret are owner-only; then the whole platform runs on it through
 * {@code --stack D} unchanged (speed and serving layers, a batch run with Spark {@code local[2]}), every window of every
 * product at 5m, 1h and 1d equals the truth of a few hundred generated events (late, duplicate and invalid ones among
 * them), and no generated password appears anywhere under the data directory except in the files meant to hold it.
 */
// Among the longest classes, so it starts early when classes run in parallel (integration-tests/pom.xml).
@Order(2)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecureClusterIT {
    private static final Duration CATCH_UP_TIMEOUT = Duration.ofMinutes(4);
    private static final Duration BATCH_TIMEOUT = Duration.ofMinutes(8);
    private static final int PRODUCTS = 6;
    private static final Set<String> OWNER_ONLY = Set.of("rw-------");

    private final List<LayerProcess> layers = new ArrayList<>();
    private Path dataDir;
    private RunningStack stack;
    private StackEndpoints endpoints;
    private List<String> passwords;

    @BeforeAll
    void startSecuredClusterStack() throws IOException {
        StackOptions options = StackOptions.of(ChildJvmTestStack.freshDataDir("secure-"))
                .withCluster(true)
                .withSecure(true)
                .withPartitions(3)
                .withStartTimeout(Duration.ofMinutes(6));
        dataDir = options.dataDir();
        stack = LocalStack.start(options);
        endpoints = stack.endpoints();
        Properties generated = new Properties();
        try (Reader in = Files.newBufferedReader(dataDir.resolve("tls/passwords.properties"))) {
            generated.load(in);
        }
        passwords = generated.stringPropertyNames().stream().map(generated::getProperty).toList();
        assertThat(passwords).hasSize(4).allMatch(password -> password.matches("[0-9a-f]{48}"));
    }

    @AfterAll
    void stopLayersAndStack() throws InterruptedException {
        for (LayerProcess layer : layers) {
            layer.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void endpointsCarryTheClientSecurityAndEverySecretIsOwnerOnly() throws IOException {
        assertThat(StackEndpoints.read(dataDir)).isEqualTo(endpoints);
        var config = PlatformConfig.load(null, dataDir);
        KafkaSettings kafka = KafkaSettings.from(config);
        assertThat(kafka.security()).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("ssl.truststore.location", dataDir.resolve("tls/truststore.p12").toString())
                .containsKeys("sasl.jaas.config", "ssl.truststore.password");
        CassandraSettings cassandra = CassandraSettings.from(config);
        assertThat(cassandra.username()).isEqualTo("lambda");
        assertThat(passwords).contains(cassandra.password());
        assertThat(cassandra.contactPoints()).hasSize(3);
        assertThat(endpoints.toString()).doesNotContain(passwords);

        List<Path> secrets = new ArrayList<>(List.of(dataDir.resolve(StackEndpoints.FILE_NAME), dataDir.resolve("tls/passwords.properties"),
                dataDir.resolve("tls/truststore.p12")));
        for (int node = 1; node <= 3; node++) {
            secrets.add(dataDir.resolve("tls/node-" + node + ".p12"));
            secrets.add(dataDir.resolve("conf/kafka-" + node + ".properties"));
            secrets.add(dataDir.resolve("conf/cassandra-" + node + ".yaml"));
        }
        for (Path file : secrets) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).as("permissions of %s", file).isIn(OWNER_ONLY);
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve("tls")))).isEqualTo("rwx------");
        assertThat(Files.readString(dataDir.resolve("conf/kafka-1.properties"))).contains(
                "listeners=SASL_SSL://127.0.0.1:", "inter.broker.listener.name=SASL_SSL", "sasl.enabled.mechanisms=SCRAM-SHA-512");
        assertThat(Files.readString(dataDir.resolve("conf/cassandra-2.yaml"))).contains(
                "  class_name: org.apache.cassandra.auth.PasswordAuthenticator", "  optional: false", "tls/node-2.p12");
    }

    @Test
    @Order(2)
    void plaintextKafkaClientsWrongPasswordsAndCassandraSessionsWithoutTlsOrCredentialsAreRefused() throws Exception {
        try (Admin plaintext = admin(Map.of())) {
            assertThatThrownBy(() -> plaintext.describeCluster().nodes().get(30, TimeUnit.SECONDS))
                    .as("a plaintext client on the SASL_SSL listener").isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
        }
        Map<String, String> wrongPassword = new HashMap<>(endpoints.kafka().security());
        wrongPassword.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"lambda\" password=\"wrong\";");
        try (Admin impostor = admin(wrongPassword)) {
            assertThatThrownBy(() -> impostor.describeCluster().nodes().get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(SaslAuthenticationException.class);
        }
        try (Admin lambda = admin(endpoints.kafka().security())) {
            assertThat(lambda.describeCluster().nodes().get(60, TimeUnit.SECONDS)).hasSize(3);
        }

        assertThatThrownBy(() -> cql(false, null, null).close()).as("CQL without TLS").isInstanceOf(AllNodesFailedException.class);
        assertThatThrownBy(() -> cql(true, null, null).close()).as("TLS without credentials").isInstanceOf(AllNodesFailedException.class)
                .satisfies(e -> assertThat(((AllNodesFailedException) e).getAllErrors().values().stream().flatMap(List::stream))
                        .hasAtLeastOneElementOfType(AuthenticationException.class));
        assertThatThrownBy(() -> cql(true, "cassandra", "cassandra").close()).as("the default superuser, dropped")
                .isInstanceOf(AllNodesFailedException.class)
                .satisfies(e -> assertThat(((AllNodesFailedException) e).getAllErrors().values().stream().flatMap(List::stream))
                        .hasAtLeastOneElementOfType(AuthenticationException.class));
        CassandraSettings settings = CassandraSettings.from(PlatformConfig.load(null, dataDir));
        try (CqlSession session = settings.connect()) {
            // The driver's metadata leaves the system keyspaces out.
            assertThat(session.execute("SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = 'system_auth'").one()
                    .getMap("replication", String.class, String.class)).containsEntry("replication_factor", "3");
            assertThat(session.getMetadata().getKeyspace(endpoints.cassandraKeyspace()).orElseThrow().getReplication())
                    .containsEntry("replication_factor", "3");
            assertThat(session.execute("SELECT role, is_superuser FROM system_auth.roles").all())
                    .extracting(row -> row.getString("role") + " " + row.getBoolean("is_superuser")).containsExactly("lambda true");
        }
    }

    /**
     * The speed and serving layers and a batch run ({@code ./lambda batch --stack D}, Spark {@code local[2]} reading the
     * topic through SASL_SSL) on the secured stack, exactly as on a plaintext one; every window equals the truth with
     * the speed layer alone and after the batch run, and every answer is complete.
     */
    @Test
    @Order(3)
    void thePlatformRunsUnchangedOnTheSecuredClusterAndEveryWindowIsExact() throws Exception {
        Map<String, String> environment = Map.of(
                "LAMBDA_INGEST_BUCKET__WIDTH", "10s",
                "LAMBDA_BATCH_SAFETY__MARGIN", "5s",
                "LAMBDA_BATCH_HEAP", "1g",
                "LAMBDA_SPEED_STATE__DIR", dataDir.resolve("speed-state").toString());
        LayerProcess speed = started(LayerProcess.speed(dataDir, environment, dataDir.resolve("logs/speed.log")));
        int port = LayerProcess.freePort();
        LayerProcess serving = started(LayerProcess.serving(dataDir, port, environment, dataDir.resolve("logs/serving.log")));
        ServingAnswers answers = new ServingAnswers("http://127.0.0.1:" + port);
        answers.awaitReady(serving);

        Truth truth = new Truth();
        // Through SASL_SSL, with the stack's client settings.
        try (TruthSender sender = new TruthSender(endpoints.kafka().clientProperties(), endpoints.eventsTopic(), truth)) {
            sender.send(new EventGenerator(new GeneratorSettings(400, PRODUCTS, 20261203, 0.15, 0.08, 0.05, Duration.ofDays(2)),
                    InstantSource.system()), 0);
            assertThat(truth.duplicatesSent()).as("duplicates among those sent").isPositive();
            assertThat(truth.invalidCount()).as("invalid records among those sent").isPositive();
            answers.awaitCaughtUp(Instant.now(), truth, CATCH_UP_TIMEOUT, speed::isAlive, speed.log().toString());
            assertThat(answers.assertExact(truth, "speed layer only").batch()).as("no batch version yet").isEmpty();

            // The cutoff must pass every event: the brokers' clock passes the last append by more than the safety margin
            // and one ingest bucket; one more (invalid) record makes them report that clock.
            Thread.sleep(Duration.ofSeconds(20).toMillis());
            sender.sendMalformed("tick");
            sender.flush();
        }
        LayerProcess batch = LayerProcess.batch(dataDir, environment, dataDir.resolve("logs/batch.log"));
        assertThat(batch.awaitExit(BATCH_TIMEOUT)).as("batch exit code; log:\n%s", batch.logTail()).isZero();
        Matcher archived = Pattern.compile("Archived range \\S+ \\((\\d+) records").matcher(batch.logText());
        assertThat(archived.find()).as("the archive read the topic through Spark's Kafka source; log:\n%s", batch.logTail()).isTrue();
        assertThat(Long.parseLong(archived.group(1))).as("records archived").isGreaterThanOrEqualTo(400);
        answers.awaitCaughtUp(Instant.now(), truth, CATCH_UP_TIMEOUT, speed::isAlive, speed.log().toString());
        assertThat(answers.assertExact(truth, "after the batch run").batch())
                .hasValueSatisfying(version -> assertThat(version.path("version").asLong()).as("batch coverage %s", version).isEqualTo(1));

        assertNoSecretOutsideItsFiles();
    }

    /** Every generated password occurs only in the files that must hold it; nowhere in any log, data or state file. */
    private void assertNoSecretOutsideItsFiles() throws IOException {
        Set<Path> holders = new java.util.HashSet<>(Set.of(dataDir.resolve(StackEndpoints.FILE_NAME), dataDir.resolve("tls/passwords.properties")));
        for (int node = 1; node <= 3; node++) {
            holders.add(dataDir.resolve("conf/kafka-" + node + ".properties"));
            holders.add(dataDir.resolve("conf/cassandra-" + node + ".yaml"));
        }
        List<String> leaks = new ArrayList<>();
        int scanned = 0;
        try (Stream<Path> files = Files.walk(dataDir)) {
            for (Path file : files.filter(Files::isRegularFile).filter(file -> !holders.contains(file)).toList()) {
                byte[] content;
                try {
                    content = Files.readAllBytes(file);
                }
                catch (IOException e) {
                    continue; // a file a server removed meanwhile (a segment, a temporary file)
                }
                String text = new String(content, StandardCharsets.ISO_8859_1);
                scanned++;
                for (String password : passwords) {
                    if (text.contains(password)) {
                        leaks.add(dataDir.relativize(file).toString());
                    }
                }
            }
        }
        assertThat(scanned).as("files scanned under %s", dataDir).isGreaterThan(50);
        assertThat(leaks).as("files holding a generated password").isEmpty();
    }

    private LayerProcess started(LayerProcess layer) {
        layers.add(layer);
        return layer;
    }

    private CqlSession cql(boolean tls, String username, String password) {
        var builder = CqlSession.builder().withLocalDatacenter(endpoints.cassandraDatacenter());
        for (String point : endpoints.cassandraContactPoints()) {
            String[] hostPort = point.split(":");
            builder.addContactPoint(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])));
        }
        var config = DriverConfigLoader.programmaticBuilder()
                .withDuration(DefaultDriverOption.CONNECTION_CONNECT_TIMEOUT, Duration.ofSeconds(10))
                .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(10));
        if (tls) {
            config = config.withString(DefaultDriverOption.SSL_ENGINE_FACTORY_CLASS, "DefaultSslEngineFactory")
                    .withString(DefaultDriverOption.SSL_TRUSTSTORE_PATH, endpoints.security().cassandraTruststorePath())
                    .withString(DefaultDriverOption.SSL_TRUSTSTORE_PASSWORD, endpoints.security().cassandraTruststorePassword());
        }
        if (username != null) {
            builder.withAuthCredentials(username, password);
        }
        return builder.withConfigLoader(config.build()).build();
    }

    private Admin admin(Map<String, String> security) {
        Map<String, Object> properties = new HashMap<>(security);
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrap());
        properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
        return Admin.create(properties);
    }
}
