package io.lambdaplatform.generator;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Iterator;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static java.util.Objects.requireNonNull;

/** Sends generated records at a steady rate, optionally drawing a progress bar. */
public final class EventSender {

    private static final long PROGRESS_INTERVAL_NANOS = Duration.ofMillis(250).toNanos();

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final double ratePerSecond;
    private final PrintStream progress;

    /**
     * @param ratePerSecond records per second; 0 sends as fast as Kafka takes them
     * @param progress      where to draw a progress bar, or {@code null} for none
     */
    public EventSender(Producer<byte[], byte[]> producer, String topic, double ratePerSecond, PrintStream progress) {
        this.producer = requireNonNull(producer, "producer is null");
        this.topic = requireNonNull(topic, "topic is null");
        if (ratePerSecond < 0) {
            throw new IllegalArgumentException("rate must not be negative: " + ratePerSecond);
        }
        this.ratePerSecond = ratePerSecond;
        this.progress = progress;
    }

    /** The outcome of a run: what was sent, and how many sends Kafka did not acknowledge. */
    public record Result(GenerationSummary summary, long failed, Duration elapsed) {}

    public Result send(Iterator<GeneratedRecord> records, long expected) {
        GenerationSummary summary = new GenerationSummary();
        AtomicLong failed = new AtomicLong();
        long start = System.nanoTime();
        long lastDrawn = 0;
        long sent = 0;
        while (records.hasNext()) {
            GeneratedRecord record = records.next();
            pace(start, sent);
            producer.send(new ProducerRecord<>(topic, record.key(), record.value()), (metadata, error) -> {
                if (error != null) {
                    failed.incrementAndGet();
                }
            });
            summary.count(record);
            sent++;
            long now = System.nanoTime();
            if (progress != null && now - lastDrawn > PROGRESS_INTERVAL_NANOS) {
                draw(sent, expected, now - start);
                lastDrawn = now;
            }
        }
        producer.flush();
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        if (progress != null) {
            draw(sent, expected, elapsed.toNanos());
            progress.println();
        }
        return new Result(summary, failed.get(), elapsed);
    }

    private void pace(long start, long sent) {
        if (ratePerSecond == 0) {
            return;
        }
        long due = start + (long) (sent * 1_000_000_000L / ratePerSecond);
        long wait = due - System.nanoTime();
        if (wait > 0) {
            LockSupport.parkNanos(wait);
        }
    }

    private void draw(long sent, long expected, long elapsedNanos) {
        int width = 30;
        int filled = expected == 0 ? width : (int) Math.min(width, sent * width / expected);
        double rate = sent / Math.max(elapsedNanos / 1e9, 1e-3);
        progress.printf(Locale.ROOT, "\r[%s%s] %3d%% %,d/%,d  %,.0f records/s ",
                "#".repeat(filled), ".".repeat(width - filled), expected == 0 ? 100 : sent * 100 / expected, sent, expected, rate);
        progress.flush();
    }
}
