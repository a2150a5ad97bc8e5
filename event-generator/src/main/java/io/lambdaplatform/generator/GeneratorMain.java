package io.lambdaplatform.generator;

import com.typesafe.config.Config;
import picocli.CommandLine.Mixin;
import io.lambdaplatform.model.cli.Entrypoint;
import io.lambdaplatform.model.cli.ConfigSourceOptions;
import io.lambdaplatform.model.config.KafkaSettings;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code ./lambda generate}: sends synthetic events to the events topic. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Sends synthetic events (with late, duplicate and invalid ones) to the events topic.")
public final class GeneratorMain implements Callable<Integer> {

    @Mixin
    ConfigSourceOptions source;

    @Option(names = "--count", defaultValue = "10000", description = "Records to send (default ${DEFAULT-VALUE}).")
    long count;

    @Option(names = "--rate", defaultValue = "1000", description = "Records per second; 0 = as fast as possible (default ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--seed", description = "Fixes every random choice: products, users, values, which records are late, "
            + "duplicate or invalid. With the same --start and --rate too, the same seed gives byte-identical records "
            + "(event ids and times included). Default: random.")
    Long seed;

    @Option(names = "--start", paramLabel = "ISO-INSTANT", description = "The time of the first record: the n-th record is "
            + "generated as if at start + n / rate (current events are up to a minute older, late ones up to --max-lateness). "
            + "Default: now.")
    Instant start;

    @Option(names = "--products", defaultValue = "50", description = "Distinct products, Zipf-distributed (default ${DEFAULT-VALUE}).")
    int products;

    @Option(names = "--late-fraction", defaultValue = "0.05", description = "Share of events hours to days old (default ${DEFAULT-VALUE}).")
    double lateFraction;

    @Option(names = "--duplicate-fraction", defaultValue = "0.02", description = "Share of resent events (default ${DEFAULT-VALUE}).")
    double duplicateFraction;

    @Option(names = "--invalid-fraction", defaultValue = "0.01", description = "Share of invalid payloads (default ${DEFAULT-VALUE}).")
    double invalidFraction;

    @Option(names = "--max-lateness", defaultValue = "P3D", description = "Oldest late event, ISO-8601 duration (default ${DEFAULT-VALUE}).")
    Duration maxLateness;

    public static void main(String[] args) {
        Entrypoint.run(new GeneratorMain(), args);
    }

    @Override
    public Integer call() {
        Config config = source.load();
        long chosenSeed = seed != null ? seed : System.nanoTime();
        GeneratorSettings settings = new GeneratorSettings(count, products, chosenSeed, lateFraction, duplicateFraction,
                invalidFraction, maxLateness);
        KafkaSettings kafka = KafkaSettings.from(config);
        String topic = kafka.eventsTopic();
        PrintStream out = System.out;
        out.printf("generating %,d records (seed %d, %d products) to %s at %s%n", count, chosenSeed, products, topic,
                rate == 0 ? "full speed" : rate + " records/s");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerSettings(kafka),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            PrintStream progress = System.console() != null ? System.err : null;
            EventSender.Result result = new EventSender(producer, topic, rate, progress)
                    .send(new EventGenerator(settings, RecordClock.forRate(start != null ? start : Instant.now(), rate)), count);
            out.print(result.summary().describe(result.elapsed(), result.failed()));
            return result.failed() == 0 ? 0 : 1;
        }
    }

    static Map<String, Object> producerSettings(KafkaSettings kafka) {
        Map<String, Object> settings = kafka.clientProperties();
        settings.putAll(Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 10,
                ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024,
                ProducerConfig.CLIENT_ID_CONFIG, "lambda-generator"));
        return settings;
    }
}
