package io.lambdaplatform.generator;

import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;

import static org.assertj.core.api.Assertions.assertThat;

class EventSenderTest {

    @Test
    void sendsEveryRecordToTheTopicAndSummarisesByKind() {
        MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        ByteArrayOutputStream bar = new ByteArrayOutputStream();
        GeneratorSettings settings = GeneratorSettings.defaults(1_000, 11);

        EventSender.Result result = new EventSender(producer, "events", 0, new PrintStream(bar, true, StandardCharsets.UTF_8))
                .send(new EventGenerator(settings, InstantSource.fixed(Instant.parse("2026-11-25T12:00:00Z"))), 1_000);

        assertThat(producer.history()).hasSize(1_000).allMatch(record -> record.topic().equals("events"));
        assertThat(result.failed()).isZero();
        assertThat(result.summary().total()).isEqualTo(1_000);
        assertThat(result.summary().count(GeneratedRecord.Kind.VALID) + result.summary().count(GeneratedRecord.Kind.LATE)
                + result.summary().count(GeneratedRecord.Kind.DUPLICATE) + result.summary().count(GeneratedRecord.Kind.INVALID))
                .isEqualTo(1_000);
        assertThat(bar.toString(StandardCharsets.UTF_8)).contains("100% 1,000/1,000");
        assertThat(result.summary().describe(result.elapsed(), 0)).startsWith("sent 1000 records in").contains("valid");
    }

    @Test
    void holdsTheRequestedRate() {
        MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());

        EventSender.Result result = new EventSender(producer, "events", 200, null)
                .send(new EventGenerator(GeneratorSettings.defaults(100, 1), InstantSource.system()), 100);

        // 100 records at 200/s take about half a second: the pacer must not send them all at once.
        assertThat(result.elapsed().toMillis()).isGreaterThanOrEqualTo(450);
    }

    @Test
    void countsSendsKafkaDidNotAcknowledge() {
        // Kafka reports a lost record through the send callback; this producer fails every pending send on flush.
        MockProducer<byte[], byte[]> producer = new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer()) {
            @Override
            public synchronized void flush() {
                while (errorNext(new TimeoutException("broker gone"))) {
                    Thread.onSpinWait();
                }
            }
        };

        EventSender.Result result = new EventSender(producer, "events", 0, null)
                .send(new EventGenerator(GeneratorSettings.defaults(20, 1), InstantSource.system()), 20);

        assertThat(result.failed()).isEqualTo(20);
        assertThat(result.summary().describe(result.elapsed(), result.failed())).contains("FAILED     20");
    }
}
