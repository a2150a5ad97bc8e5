package io.lambdaplatform.generator;

import io.lambdaplatform.model.Event;
import io.lambdaplatform.model.EventCodec;
import io.lambdaplatform.model.RejectionReason;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

import static java.util.Objects.requireNonNull;

/**
 * A deterministic source of synthetic records: the same settings and the same clock readings give the
 * same records. Event times of current events lie up to a minute before the clock; late ones up to
 * {@link GeneratorSettings#maxLateness()} before it.
 */
public final class EventGenerator implements Iterator<GeneratedRecord> {

    private static final double ZIPF_EXPONENT = 1.1;
    private static final int DUPLICATE_MEMORY = 10_000;
    private static final RejectionReason[] INVALID_KINDS = {
            RejectionReason.MALFORMED_JSON, RejectionReason.MISSING_FIELD, RejectionReason.WRONG_TYPE,
            RejectionReason.INVALID_VALUE, RejectionReason.KEY_MISMATCH, RejectionReason.NOT_UTF8, RejectionReason.EMPTY};

    private final GeneratorSettings settings;
    private final InstantSource clock;
    private final SplittableRandom random;
    private final double[] productWeights;
    private final String runId;
    private final List<GeneratedRecord> sent = new ArrayList<>();
    private long produced;

    public EventGenerator(GeneratorSettings settings, InstantSource clock) {
        this.settings = requireNonNull(settings, "settings is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.random = new SplittableRandom(settings.seed());
        this.productWeights = cumulativeZipf(settings.products());
        this.runId = Long.toHexString(settings.seed());
    }

    @Override
    public boolean hasNext() {
        return produced < settings.count();
    }

    @Override
    public GeneratedRecord next() {
        if (!hasNext()) {
            throw new NoSuchElementException("All " + settings.count() + " records were generated");
        }
        long sequence = produced++;
        double roll = random.nextDouble();
        Instant now = clock.instant();
        if (roll < settings.invalidFraction()) {
            return invalid(sequence, now);
        }
        if (roll < settings.invalidFraction() + settings.duplicateFraction() && !sent.isEmpty()) {
            GeneratedRecord original = sent.get(random.nextInt(sent.size()));
            return new GeneratedRecord(GeneratedRecord.Kind.DUPLICATE, original.key(), original.value(), original.event(), null);
        }
        boolean late = random.nextDouble() < settings.lateFraction();
        Event event = event(sequence, late ? lateTime(now) : now.minusMillis(random.nextLong(60_000)));
        GeneratedRecord record = new GeneratedRecord(late ? GeneratedRecord.Kind.LATE : GeneratedRecord.Kind.VALID,
                event.productId().getBytes(StandardCharsets.UTF_8), EventCodec.encode(event), event, null);
        remember(record);
        return record;
    }

    private Event event(long sequence, Instant eventTime) {
        String product = String.format(Locale.ROOT, "p-%04d", productIndex());
        String user = "u-" + random.nextInt(10_000);
        return new Event("e-" + runId + "-" + sequence, product, user, revenue(), duration(), eventTime);
    }

    private Instant lateTime(Instant now) {
        long minimum = Duration.ofHours(1).toMillis();
        long span = settings.maxLateness().toMillis() - minimum;
        return now.minusMillis(minimum + (span > 0 ? random.nextLong(span) : 0));
    }

    /** 60% carry no revenue (views), 35% are purchases of 0.99 to 499.99, 5% refunds of up to 199.99. */
    private BigDecimal revenue() {
        double kind = random.nextDouble();
        if (kind < 0.60) {
            return BigDecimal.ZERO.setScale(2);
        }
        if (kind < 0.95) {
            return BigDecimal.valueOf(99 + random.nextLong(49_901), 2);
        }
        return BigDecimal.valueOf(-(99 + random.nextLong(19_901)), 2);
    }

    /** Log-normal around 1.5 s, at most 10 minutes. */
    private long duration() {
        double gaussian = gaussian();
        return Math.min(600_000, Math.round(Math.exp(Math.log(1500) + 0.9 * gaussian)));
    }

    private double gaussian() {
        // Box–Muller: SplittableRandom has no nextGaussian in Java 17.
        double u1 = 1.0 - random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    private int productIndex() {
        int index = Arrays.binarySearch(productWeights, random.nextDouble());
        return index >= 0 ? index : Math.min(-index - 1, productWeights.length - 1);
    }

    private GeneratedRecord invalid(long sequence, Instant now) {
        RejectionReason reason = INVALID_KINDS[random.nextInt(INVALID_KINDS.length)];
        Event event = event(sequence, now);
        byte[] key = event.productId().getBytes(StandardCharsets.UTF_8);
        String json = EventCodec.encodeToString(event);
        byte[] value = switch (reason) {
            case MALFORMED_JSON -> json.substring(0, json.length() / 2).getBytes(StandardCharsets.UTF_8);
            case MISSING_FIELD -> json.replaceFirst(",\"revenue\":\"[^\"]*\"", "").getBytes(StandardCharsets.UTF_8);
            case WRONG_TYPE -> json.replaceFirst("\"duration_ms\":(\\d+)", "\"duration_ms\":\"$1\"").getBytes(StandardCharsets.UTF_8);
            case INVALID_VALUE -> json.replaceFirst("\"revenue\":\"([^\"]*)\"", "\"revenue\":\"1.999\"").getBytes(StandardCharsets.UTF_8);
            case KEY_MISMATCH -> json.getBytes(StandardCharsets.UTF_8);
            case NOT_UTF8 -> json.replace("\"user_id\":\"", "\"user_id\":\"\u00e9").getBytes(StandardCharsets.ISO_8859_1);
            case EMPTY -> new byte[0];
            default -> throw new IllegalStateException("No invalid payload for " + reason);
        };
        if (reason == RejectionReason.KEY_MISMATCH) {
            key = "not-the-product".getBytes(StandardCharsets.UTF_8);
        }
        return new GeneratedRecord(GeneratedRecord.Kind.INVALID, key, value, null, reason);
    }

    private void remember(GeneratedRecord record) {
        if (sent.size() < DUPLICATE_MEMORY) {
            sent.add(record);
        }
        else {
            sent.set(random.nextInt(DUPLICATE_MEMORY), record);
        }
    }

    private static double[] cumulativeZipf(int products) {
        double[] cumulative = new double[products];
        double sum = 0;
        for (int rank = 1; rank <= products; rank++) {
            sum += 1 / Math.pow(rank, ZIPF_EXPONENT);
            cumulative[rank - 1] = sum;
        }
        for (int i = 0; i < products; i++) {
            cumulative[i] /= sum;
        }
        return cumulative;
    }
}
