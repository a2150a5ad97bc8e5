package io.lambdaplatform.it.batch;

import io.lambdaplatform.it.stack.ChildJvmTestStack;
import io.lambdaplatform.stack.StackEndpoints;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static java.util.Objects.requireNonNull;

/**
 * A batch test's own corner of the shared stack, as {@code ./lambda batch --stack DIR} sees it: a fresh events
 * topic (LogAppendTime), a stack directory whose {@code endpoints.json} names it and the test's keyspace, and the
 * environment that gives the run 1 s ingest buckets, no safety margin, its own master dataset and a 10 s lease.
 *
 * @param topic       the test's events topic
 * @param stackDir    pass as {@code --stack}
 * @param environment pass to the {@code ./lambda batch} process
 */
record BatchStackDir(String topic, Path stackDir, Map<String, String> environment) {

    BatchStackDir {
        requireNonNull(topic, "topic is null");
        requireNonNull(stackDir, "stackDir is null");
        environment = Map.copyOf(environment);
    }

    static BatchStackDir create(StackEndpoints stack, String name, String keyspace, int partitions, String heap) throws Exception {
        String topic = "it-" + name + "-events-" + UUID.randomUUID().toString().substring(0, 8);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap()))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1)
                    .configs(Map.of("message.timestamp.type", "LogAppendTime")))).all().get();
        }
        Path stackDir = ChildJvmTestStack.freshDataDir("batch-" + name + "-it-");
        new StackEndpoints(stack.kafkaBootstrap(), stack.cassandraContactPoint(), stack.cassandraDatacenter(), keyspace,
                stack.s3Endpoint(), stack.s3Bucket(), stack.s3AccessKey(), stack.s3SecretKey(), stack.s3Region(),
                topic, stack.dlqTopic()).write(stackDir.resolve(StackEndpoints.FILE_NAME));
        Map<String, String> environment = Map.of(
                "LAMBDA_INGEST_BUCKET__WIDTH", "1s",
                "LAMBDA_BATCH_SAFETY__MARGIN", "0s",
                "LAMBDA_BATCH_MASTER__PATH", "s3a://" + stack.s3Bucket() + "/" + topic + "/master",
                "LAMBDA_BATCH_PARTITIONS", "2",
                "LAMBDA_BATCH_LEASE__TTL", "10s",
                "LAMBDA_BATCH_HEAP", heap);
        return new BatchStackDir(topic, stackDir, environment);
    }
}
