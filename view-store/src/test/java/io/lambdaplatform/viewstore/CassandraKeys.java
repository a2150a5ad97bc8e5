package io.lambdaplatform.viewstore;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code lambda.cassandra} as the settings it gives by default and a setting of every key to another value, for the
 * full-mapping tests of every deployable that reads it ({@code replication-factor} is read by the deployables, which
 * create the keyspace, not by {@link CassandraSettings}).
 */
public final class CassandraKeys {

    public static final CassandraSettings DEFAULTS = new CassandraSettings(List.of("localhost:9042"), "datacenter1", "lambda", null, null,
            Duration.ofSeconds(10), "LOCAL_QUORUM", "");
    public static final int REPLICATION_FACTOR_DEFAULT = 1;
    public static final Map<String, Object> SET = Map.ofEntries(
            Map.entry("lambda.cassandra.contact-points", List.of("c1:9043", "c2:9043")),
            Map.entry("lambda.cassandra.local-datacenter", "dc2"),
            Map.entry("lambda.cassandra.keyspace", "views"),
            Map.entry("lambda.cassandra.replication-factor", 3),
            Map.entry("lambda.cassandra.request-timeout", "3s"),
            Map.entry("lambda.cassandra.consistency", "local_one"),
            Map.entry("lambda.cassandra.username", "app"),
            Map.entry("lambda.cassandra.password", "pw"),
            Map.entry("datastax-java-driver.basic.request.page-size", 1234),
            Map.entry("lambda.cassandra.ssl.enabled", true),
            Map.entry("lambda.cassandra.ssl.truststore-path", "/etc/lambda/truststore.p12"),
            Map.entry("lambda.cassandra.ssl.truststore-password", "tpw"),
            Map.entry("lambda.cassandra.ssl.hostname-validation", false));
    public static final CassandraSettings MAPPED = new CassandraSettings(List.of("c1:9043", "c2:9043"), "dc2", "views", "app", "pw",
            Duration.ofSeconds(3), "LOCAL_ONE", "{\"datastax-java-driver\":{\"advanced\":{\"ssl-engine-factory\":{\"class\":\"DefaultSslEngineFactory\","
                    + "\"hostname-validation\":false,\"truststore-password\":\"tpw\",\"truststore-path\":\"/etc/lambda/truststore.p12\"}},"
                    + "\"basic\":{\"request\":{\"page-size\":1234}}}}");
    public static final int REPLICATION_FACTOR_MAPPED = 3;

    private CassandraKeys() {}
}
