package io.lambdaplatform.speed.internal;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * Records the topology cannot even read as bytes are skipped with a log line naming topic, partition and
 * offset; Kafka Streams counts them in its {@code dropped-records} task metric. (Records that are bytes
 * but not valid events are dead-lettered by {@link SourceProcessor}, not here.)
 */
public final class LoggingDeserializationHandler implements DeserializationExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(LoggingDeserializationHandler.class);

    @Override
    public DeserializationHandlerResponse handle(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
        LOG.error("Skipping unreadable record {}-{}@{} (task {}): {}", context.topic(), context.partition(), context.offset(),
                context.taskId(), exception.toString());
        return DeserializationHandlerResponse.CONTINUE;
    }

    @Override
    public void configure(Map<String, ?> configs) {
        // No settings.
    }
}
