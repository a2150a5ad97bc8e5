package io.lambdaplatform.generator;

import io.lambdaplatform.model.RejectionReason;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/** What a run sent, by kind and by the reason invalid records will be rejected for. Not thread-safe. */
public final class GenerationSummary {

    private final Map<GeneratedRecord.Kind, Long> byKind = new EnumMap<>(GeneratedRecord.Kind.class);
    private final Map<RejectionReason, Long> invalidByReason = new EnumMap<>(RejectionReason.class);

    public void count(GeneratedRecord record) {
        byKind.merge(record.kind(), 1L, Long::sum);
        if (record.expectedReason() != null) {
            invalidByReason.merge(record.expectedReason(), 1L, Long::sum);
        }
    }

    public long count(GeneratedRecord.Kind kind) {
        return byKind.getOrDefault(kind, 0L);
    }

    public long total() {
        return byKind.values().stream().mapToLong(Long::longValue).sum();
    }

    public Map<RejectionReason, Long> invalidByReason() {
        return Map.copyOf(invalidByReason);
    }

    /** A few lines for a person: totals by kind, invalid by reason, and the rate. */
    public String describe(Duration elapsed, long failed) {
        double seconds = Math.max(elapsed.toMillis(), 1) / 1000.0;
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT,
                "sent %d records in %.1f s (%.0f records/s)%n", total(), seconds, total() / seconds));
        for (GeneratedRecord.Kind kind : GeneratedRecord.Kind.values()) {
            text.append(String.format(Locale.ROOT, "  %-10s %,d%n", kind.name().toLowerCase(Locale.ROOT), count(kind)));
        }
        invalidByReason.forEach((reason, n) -> text.append(String.format(Locale.ROOT, "    %-16s %,d%n", reason.code(), n)));
        if (failed > 0) {
            text.append(String.format(Locale.ROOT, "  FAILED     %,d (not acknowledged by Kafka)%n", failed));
        }
        return text.toString();
    }
}
