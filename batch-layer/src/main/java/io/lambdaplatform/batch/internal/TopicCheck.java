package io.lambdaplatform.batch.internal;

import io.lambdaplatform.batch.MasterDatasetException;
import io.lambdaplatform.model.config.KafkaSettings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The archive is exact only if the topic's record timestamps are the broker's append times: with
 * CreateTime a producer's clock decides, and a late record could land below a cutoff already archived.
 */
public final class TopicCheck {

    private TopicCheck() {}

    public static void requireLogAppendTime(KafkaSettings kafka) {
        String topic = kafka.eventsTopic();
        Map<String, Object> settings = kafka.clientProperties();
        settings.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        try (Admin admin = Admin.create(settings)) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config config = admin.describeConfigs(List.of(resource)).all().get(60, TimeUnit.SECONDS).get(resource);
            ConfigEntry type = config.get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG);
            if (type == null || !"LogAppendTime".equals(type.value())) {
                throw new MasterDatasetException("Topic " + topic + " has " + TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG + "="
                        + (type == null ? "unknown" : type.value()) + "; the batch layer's cutoff needs LogAppendTime");
            }
        }
        catch (ExecutionException | TimeoutException e) {
            throw new MasterDatasetException("Cannot describe topic " + topic + " at " + kafka.bootstrapServers() + ": " + e.getMessage(), e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MasterDatasetException("Interrupted while describing topic " + topic, e);
        }
    }
}
