package io.lambdaplatform.speed.internal;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * A dead letter the broker refuses as too large (its topic's {@code max.message.bytes} is below
 * {@code lambda.speed.dead-letter-max-bytes}) is skipped with a log line naming the source record; it is
 * still counted by reason. Every other failure to produce is fatal for the task, as by default, so that
 * exactly-once holds.
 */
public final class DeadLetterProductionHandler implements ProductionExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterProductionHandler.class);

    @Override
    public ProductionExceptionHandlerResponse handle(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
        if (exception instanceof RecordTooLargeException) {
            LOG.error("Dropping the dead letter of {}-{}@{} for {}: the broker refuses it as too large ({}); lower "
                    + "lambda.speed.dead-letter-max-bytes", context.topic(), context.partition(), context.offset(), record.topic(),
                    exception.getMessage());
            return ProductionExceptionHandlerResponse.CONTINUE;
        }
        LOG.error("Cannot produce to {} for source record {}-{}@{}: {}", record.topic(), context.topic(), context.partition(),
                context.offset(), exception.toString());
        return ProductionExceptionHandlerResponse.FAIL;
    }

    @Override
    public void configure(Map<String, ?> configs) {
        // No settings.
    }
}
