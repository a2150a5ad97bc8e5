package io.lambdaplatform.stack.internal;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The secured cluster stack's certificates (made with the JDK's keytool), passwords and the servers' generated settings. */
class ClusterSecurityTest {
    @TempDir
    static Path dataDir;
    private static ClusterSecurity security;

    @BeforeAll
    static void prepare() {
        security = ClusterSecurity.prepare(dataDir, 3);
    }

    @Test
    void everyNodeHasAKeyForItsAddressSignedByTheAuthorityInTheTrustStoreAndTheAuthoritysKeyIsGone() throws Exception {
        KeyStore truststore = load(security.truststore());
        X509Certificate authority = (X509Certificate) truststore.getCertificate("ca");
        assertThat(authority.getBasicConstraints()).as("a CA certificate").isGreaterThanOrEqualTo(0);
        for (int node = 1; node <= 3; node++) {
            KeyStore keystore = load(security.keystore(node));
            assertThat(keystore.isKeyEntry("node")).isTrue();
            Certificate[] chain = keystore.getCertificateChain("node");
            assertThat(chain).hasSize(2);
            X509Certificate certificate = (X509Certificate) chain[0];
            certificate.verify(authority.getPublicKey());
            assertThat(certificate.getSubjectX500Principal().getName()).isEqualTo("CN=127.0.0." + node);
            assertThat(certificate.getSubjectAlternativeNames()).contains(List.of(7, "127.0.0." + node));
            assertThat(keystore.getKey("node", security.storePassword().toCharArray()).getAlgorithm()).isEqualTo("EC");
        }
        try (var files = Files.list(security.directory())) {
            assertThat(files.map(file -> file.getFileName().toString()).sorted().toList())
                    .containsExactly("node-1.p12", "node-2.p12", "node-3.p12", "passwords.properties", "truststore.p12");
        }
    }

    @Test
    void theSecretsAreOwnerOnlyAndRandomAndARestartKeepsThem() throws Exception {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(security.directory()))).isEqualTo("rwx------");
        try (var files = Files.list(security.directory())) {
            assertThat(files.toList()).allSatisfy(file ->
                    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).as("%s", file).isEqualTo("rw-------"));
        }
        assertThat(security.passwords()).hasSize(4).doesNotHaveDuplicates().allMatch(password -> password.matches("[0-9a-f]{48}"));
        assertThat(security.toString()).doesNotContain(security.passwords().toArray(String[]::new));

        FileTime made = Files.getLastModifiedTime(security.keystore(2));
        ClusterSecurity again = ClusterSecurity.prepare(dataDir, 3);
        assertThat(again.passwords()).isEqualTo(security.passwords());
        assertThat(Files.getLastModifiedTime(again.keystore(2))).isEqualTo(made);
    }

    @Test
    void securedBrokersListenOnSaslSslWithScramAndKeepTheControllerListenerOnLoopbackPlaintext() {
        List<KafkaNode> brokers = IntStream.rangeClosed(1, 3)
                .mapToObj(id -> KafkaNode.clusterMember(dataDir, id, 3, "cluster-id", "384m", 39092, 39093, 3).secured(security))
                .toList();

        assertThat(brokers.get(1).serverProperties().lines()).contains(
                "listeners=SASL_SSL://127.0.0.2:39092,CONTROLLER://127.0.0.2:39093",
                "advertised.listeners=SASL_SSL://127.0.0.2:39092",
                "listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name=SASL_SSL",
                "sasl.enabled.mechanisms=SCRAM-SHA-512",
                "sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512",
                "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required "
                        + "username=\"broker\" password=\"" + security.kafkaBrokerPassword() + "\";",
                "ssl.keystore.type=PKCS12",
                "ssl.keystore.location=" + security.keystore(2),
                "ssl.truststore.location=" + security.truststore(),
                "ssl.client.auth=none");
        assertThat(brokers.get(0).clientSecurity())
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("ssl.truststore.location", security.truststore().toString())
                .containsEntry("sasl.jaas.config", ClusterSecurity.scramJaasConfig("lambda", security.kafkaClientPassword()));
        KafkaNode plaintext = KafkaNode.clusterMember(dataDir, 1, 3, "cluster-id", "384m", 39092, 39093, 3);
        assertThat(plaintext.clientSecurity()).isEmpty();
        assertThat(plaintext.serverProperties()).doesNotContain("SASL_SSL", "sasl.", "ssl.");
    }

    @Test
    void securedCassandraNodesRequireAPasswordAndTls() {
        CassandraNode member = CassandraNode.ringMember(dataDir, 3, 3, "768m", 37000, 39042).secured(security);

        assertThat(member.cassandraYaml().lines()).contains(
                "authenticator:",
                "  class_name: org.apache.cassandra.auth.PasswordAuthenticator",
                "client_encryption_options:",
                "  enabled: true",
                "  optional: false",
                "  keystore: " + security.keystore(3),
                "  keystore_password: " + security.storePassword(),
                "  store_type: PKCS12",
                "  require_client_auth: false",
                "listen_address: 127.0.0.3");
        assertThat(CassandraNode.ringMember(dataDir, 3, 3, "768m", 37000, 39042).cassandraYaml())
                .doesNotContain("authenticator", "client_encryption_options");
    }

    private static KeyStore load(Path file) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, security.storePassword().toCharArray());
        }
        return store;
    }
}
