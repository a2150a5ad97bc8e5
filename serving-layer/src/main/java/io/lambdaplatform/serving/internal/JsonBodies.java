package io.lambdaplatform.serving.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import io.lambdaplatform.model.Metrics;
import io.lambdaplatform.serving.CrossProductAnswer;
import io.lambdaplatform.serving.IngestGap;
import io.lambdaplatform.serving.MergedWindow;
import io.lambdaplatform.serving.ProductsAnswer;
import io.lambdaplatform.serving.Quantiles;
import io.lambdaplatform.serving.MetricsAnswer;
import io.lambdaplatform.serving.PlatformStatus;
import io.lambdaplatform.serving.SpeedCoverage;
import io.lambdaplatform.serving.ViewsUsed;
import io.lambdaplatform.serving.WindowRange;
import io.lambdaplatform.viewstore.BatchBuild;
import io.lambdaplatform.viewstore.BatchVersion;
import io.lambdaplatform.viewstore.DeadLetterCount;
import io.lambdaplatform.viewstore.ViewSet;
import io.lambdaplatform.viewstore.SpeedProgress;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The JSON the API answers with, field by field as {@code openapi.json} documents it. Instants are
 * ISO-8601 strings in UTC, revenue is a decimal string (exact), counts are integers.
 */
public final class JsonBodies {

    private JsonBodies() {}

    public static ObjectMapper mapper() {
        // A window is most of every answer (168 of them for a week at 1h): written field by field, not by reflection.
        SimpleModule windows = new SimpleModule("windows")
                .addSerializer(WindowBody.class, fieldByField(WindowBody.class, JsonBodies::windowFields))
                .addSerializer(PartBody.class, fieldByField(PartBody.class, JsonBodies::partFields));
        return new ObjectMapper()
                .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .registerModule(windows);
    }

    public record MetricsBody(
            @JsonProperty("product_id") String productId,
            @JsonProperty("granularity") String granularity,
            @JsonProperty("from") String from,
            @JsonProperty("to") String to,
            @JsonProperty("windows") List<WindowBody> windows,
            @JsonProperty("batch") BatchBody batch,
            @JsonProperty("speed") SpeedBody speed,
            @JsonProperty("views") ViewsBody views,
            @JsonProperty("complete") boolean complete,
            @JsonProperty("incomplete") List<GapBody> incomplete,
            @JsonProperty("generated_at") String generatedAt) {}

    /** {@code GET /v1/metrics?product=a&product=b}: each product's windows, under one coverage. */
    public record ProductsMetricsBody(
            @JsonProperty("granularity") String granularity,
            @JsonProperty("from") String from,
            @JsonProperty("to") String to,
            @JsonProperty("products") Map<String, ProductWindowsBody> products,
            @JsonProperty("batch") BatchBody batch,
            @JsonProperty("speed") SpeedBody speed,
            @JsonProperty("views") ViewsBody views,
            @JsonProperty("complete") boolean complete,
            @JsonProperty("incomplete") List<GapBody> incomplete,
            @JsonProperty("generated_at") String generatedAt) {}

    public record ProductWindowsBody(@JsonProperty("windows") List<WindowBody> windows) {}

    public record WindowBody(
            @JsonProperty("start") String start,
            @JsonProperty("end") String end,
            @JsonProperty("event_count") long eventCount,
            @JsonProperty("revenue") String revenue,
            @JsonProperty("avg_duration_ms") BigDecimal avgDurationMs,
            @JsonProperty("duration_sum_ms") BigInteger durationSumMs,
            @JsonProperty("unique_users") Long uniqueUsers,
            @JsonProperty("duration_quantiles_ms") Map<String, Long> durationQuantilesMs,
            @JsonProperty("source") SourceBody source) {}

    public record SourceBody(@JsonProperty("batch") PartBody batch, @JsonProperty("speed") PartBody speed) {}

    public record PartBody(
            @JsonProperty("event_count") long eventCount,
            @JsonProperty("revenue") String revenue,
            @JsonProperty("duration_sum_ms") BigInteger durationSumMs) {}

    public record BatchBody(
            @JsonProperty("version") long version,
            @JsonProperty("cutoff") String cutoff,
            @JsonProperty("computed_at") String computedAt,
            @JsonProperty("published_at") String publishedAt) {}

    /**
     * Which views an answer comes from: {@code mode} ({@code lambda} or {@code kappa}); in Kappa mode the set of views
     * readers are pointed at ({@code view_version}) and the logic that built it.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ViewsBody(
            @JsonProperty("mode") String mode,
            @JsonProperty("view_version") Long viewVersion,
            @JsonProperty("logic_version") String logicVersion) {}

    public record SpeedBody(
            @JsonProperty("watermark") String watermark,
            @JsonProperty("lag_seconds") Long lagSeconds,
            @JsonProperty("covered_since") String coveredSince,
            @JsonProperty("available_since") String availableSince,
            @JsonProperty("partitions") int partitions) {}

    /** {@code GET /v1/totals}: every product's windows added up, with the coverage of a single product's answer. */
    public record TotalsBody(
            @JsonProperty("granularity") String granularity,
            @JsonProperty("from") String from,
            @JsonProperty("to") String to,
            @JsonProperty("products") int products,
            @JsonProperty("windows") List<WindowBody> windows,
            @JsonProperty("batch") BatchBody batch,
            @JsonProperty("speed") SpeedBody speed,
            @JsonProperty("views") ViewsBody views,
            @JsonProperty("complete") boolean complete,
            @JsonProperty("incomplete") List<GapBody> incomplete,
            @JsonProperty("generated_at") String generatedAt) {}

    /**
     * {@code GET /v1/top}: the products with the most events, revenue or distinct users over the range.
     *
     * @param productCount products with events in the range
     * @param products     the top products, largest first
     * @param top          the same list under its name before 0.2, kept for clients of that release
     */
    public record TopBody(
            @JsonProperty("granularity") String granularity,
            @JsonProperty("from") String from,
            @JsonProperty("to") String to,
            @JsonProperty("by") String by,
            @JsonProperty("limit") int limit,
            @JsonProperty("product_count") int productCount,
            @JsonProperty("products") List<ProductBody> products,
            @JsonProperty("top") List<ProductBody> top,
            @JsonProperty("batch") BatchBody batch,
            @JsonProperty("speed") SpeedBody speed,
            @JsonProperty("views") ViewsBody views,
            @JsonProperty("complete") boolean complete,
            @JsonProperty("incomplete") List<GapBody> incomplete,
            @JsonProperty("generated_at") String generatedAt) {}

    public record ProductBody(
            @JsonProperty("product_id") String productId,
            @JsonProperty("event_count") long eventCount,
            @JsonProperty("revenue") String revenue,
            @JsonProperty("avg_duration_ms") BigDecimal avgDurationMs,
            @JsonProperty("duration_sum_ms") BigInteger durationSumMs,
            @JsonProperty("unique_users") Long uniqueUsers,
            @JsonProperty("duration_quantiles_ms") Map<String, Long> durationQuantilesMs,
            @JsonProperty("source") SourceBody source) {}

    public record GapBody(
            @JsonProperty("from") String from,
            @JsonProperty("to") String to,
            @JsonProperty("reason") String reason) {}

    public record StatusBody(
            @JsonProperty("now") String now,
            @JsonProperty("batch") BatchStatusBody batch,
            @JsonProperty("speed") SpeedStatusBody speed,
            @JsonProperty("views") ViewsBody views,
            @JsonProperty("dead_letters") DeadLettersBody deadLetters,
            @JsonProperty("complete") boolean complete,
            @JsonProperty("incomplete") List<GapBody> incomplete) {}

    public record BatchStatusBody(
            @JsonProperty("version") long version,
            @JsonProperty("cutoff") String cutoff,
            @JsonProperty("computed_at") String computedAt,
            @JsonProperty("published_at") String publishedAt,
            @JsonProperty("age_seconds") long ageSeconds,
            @JsonProperty("view_rows") long viewRows,
            @JsonProperty("event_count") long eventCount,
            @JsonProperty("build") BuildBody build) {}

    /**
     * How a batch version was computed; {@code base_version} is the version an incremental run added to, and the logic
     * version names the rules and view definition that built it ({@link BatchBuild#logicVersion}).
     */
    public record BuildBody(@JsonProperty("kind") String kind, @JsonProperty("base_version") Long baseVersion,
            @JsonProperty("logic_version") String logicVersion, @JsonProperty("rules_version") int rulesVersion,
            @JsonProperty("view_definition") String viewDefinition) {}

    public record SpeedStatusBody(
            @JsonProperty("watermark") String watermark,
            @JsonProperty("lag_seconds") Long lagSeconds,
            @JsonProperty("covered_since") String coveredSince,
            @JsonProperty("available_since") String availableSince,
            @JsonProperty("partitions") List<PartitionBody> partitions) {}

    public record PartitionBody(
            @JsonProperty("partition") int partition,
            @JsonProperty("watermark") String watermark,
            @JsonProperty("lag_seconds") Long lagSeconds,
            @JsonProperty("covered_since") String coveredSince,
            @JsonProperty("retention_seconds") long retentionSeconds,
            @JsonProperty("updated_at") String updatedAt,
            @JsonProperty("log_begins") String logBegins) {}

    public record DeadLettersBody(
            @JsonProperty("total") long total,
            @JsonProperty("by_reason") Map<String, Long> byReason,
            @JsonProperty("by_partition") Map<String, Long> byPartition) {}

    public record ProductsBody(@JsonProperty("prefix") String prefix, @JsonProperty("products") List<String> products) {}

    public record SettingsBody(
            @JsonProperty("refresh_ms") long refreshMs,
            @JsonProperty("auth_required") boolean authRequired,
            @JsonProperty("max_windows") int maxWindows) {}

    /** Every error answer: a machine-readable code, the parameter at fault (400 only) and a message for people. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ErrorBody(
            @JsonProperty("error") String error,
            @JsonProperty("parameter") String parameter,
            @JsonProperty("message") String message) {}

    public static MetricsBody metrics(MetricsAnswer answer, Quantiles quantiles) {
        List<WindowBody> windows = answer.windows().stream().map(window -> window(window, quantiles)).toList();
        return new MetricsBody(answer.query().productId(), answer.query().granularity().label(),
                text(answer.query().from()), text(answer.query().to()), windows, batch(answer.batch()), speed(answer.speed()), views(answer.views()),
                answer.complete(), gaps(answer.gaps()), text(answer.speed().now()));
    }

    public static ProductsMetricsBody metrics(ProductsAnswer answer, Quantiles quantiles) {
        WindowRange range = answer.range();
        Map<String, ProductWindowsBody> products = new LinkedHashMap<>();
        answer.products().forEach((product, windows) ->
                products.put(product, new ProductWindowsBody(windows.stream().map(window -> window(window, quantiles)).toList())));
        return new ProductsMetricsBody(range.granularity().label(), text(range.from()), text(range.to()), products, batch(answer.batch()),
                speed(answer.speed()), views(answer.views()), answer.complete(), gaps(answer.gaps()), text(answer.speed().now()));
    }

    public static TotalsBody totals(CrossProductAnswer answer, Quantiles quantiles) {
        WindowRange range = answer.range();
        return new TotalsBody(range.granularity().label(), text(range.from()), text(range.to()), answer.products().size(),
                answer.windows().stream().map(window -> window(window, quantiles)).toList(), batch(answer.batch()), speed(answer.speed()), views(answer.views()),
                answer.complete(), gaps(answer.gaps()), text(answer.speed().now()));
    }

    public static TopBody top(CrossProductAnswer answer, CrossProductAnswer.Measure by, int limit, Quantiles quantiles) {
        WindowRange range = answer.range();
        List<ProductBody> top = answer.top(by, limit).stream().map(product -> {
            Metrics total = product.total();
            return new ProductBody(product.productId(), total.eventCount(), total.revenue().toPlainString(), total.averageDurationMs(),
                    total.durationSumMs(), uniqueUsers(total), durationQuantiles(total, quantiles),
                    new SourceBody(part(product.fromBatch()), part(product.fromSpeed())));
        }).toList();
        return new TopBody(range.granularity().label(), text(range.from()), text(range.to()), by.label(), limit, answer.products().size(),
                top, top, batch(answer.batch()), speed(answer.speed()), views(answer.views()), answer.complete(), gaps(answer.gaps()), text(answer.speed().now()));
    }

    private static BatchBody batch(Optional<BatchVersion> batch) {
        return batch.map(version -> new BatchBody(version.version(), text(version.cutoff()), text(version.computedAt()),
                        version.published().map(JsonBodies::text).orElse(null)))
                .orElse(null);
    }

    private static ViewsBody views(ViewsUsed views) {
        return new ViewsBody(views.mode().label(), views.set().map(ViewSet::id).orElse(null), views.set().map(ViewSet::logicVersion).orElse(null));
    }

    private static SpeedBody speed(SpeedCoverage speed) {
        return new SpeedBody(speed.watermark().map(JsonBodies::text).orElse(null), speed.lag().map(Duration::toSeconds).orElse(null),
                speed.coveredSince().map(JsonBodies::text).orElse(null), speed.availableSince().map(JsonBodies::text).orElse(null),
                speed.partitions().size());
    }

    public static StatusBody status(PlatformStatus status) {
        BatchStatusBody batch = status.batch()
                .map(version -> batchStatus(version, status.build(), status.now()))
                .orElse(null);
        SpeedCoverage speed = status.speed();
        List<PartitionBody> partitions = speed.partitions().stream()
                .map(progress -> partition(progress, status.now()))
                .toList();
        Map<String, Long> byReason = new TreeMap<>();
        Map<String, Long> byPartition = new TreeMap<>();
        for (DeadLetterCount count : status.deadLetters()) {
            byReason.merge(count.reason().code(), count.count(), Long::sum);
            byPartition.merge(Integer.toString(count.partition()), count.count(), Long::sum);
        }
        return new StatusBody(text(status.now()), batch,
                new SpeedStatusBody(speed.watermark().map(JsonBodies::text).orElse(null), speed.lag().map(Duration::toSeconds).orElse(null),
                        speed.coveredSince().map(JsonBodies::text).orElse(null),
                        speed.availableSince().map(JsonBodies::text).orElse(null), partitions),
                views(status.views()),
                new DeadLettersBody(status.deadLetterTotal(), byReason, byPartition),
                status.gaps().isEmpty(), gaps(status.gaps()));
    }

    private static BatchStatusBody batchStatus(BatchVersion version, Optional<BatchBuild> build, Instant now) {
        return new BatchStatusBody(version.version(), text(version.cutoff()), text(version.computedAt()),
                version.published().map(JsonBodies::text).orElse(null), Duration.between(version.cutoff(), now).toSeconds(),
                version.viewRows(), version.eventCount(), build.map(JsonBodies::build).orElse(null));
    }

    private static BuildBody build(BatchBuild build) {
        return new BuildBody(build.kind().name().toLowerCase(Locale.ROOT),
                build.kind() == BatchBuild.Kind.INCREMENTAL ? build.baseVersion() : null, build.logicVersion(), build.rulesVersion(),
                build.views());
    }

    /** A partition some product task has not heard from yet has no watermark, lag or coverage start. */
    private static PartitionBody partition(SpeedProgress progress, Instant now) {
        if (progress.isNotYet()) {
            return new PartitionBody(progress.partition(), null, null, null, progress.retention().toSeconds(), text(progress.updatedAt()),
                    null);
        }
        return new PartitionBody(progress.partition(), text(progress.watermark()), Duration.between(progress.watermark(), now).toSeconds(),
                text(progress.coveredSince()), progress.retention().toSeconds(), text(progress.updatedAt()),
                progress.logBegins().equals(Instant.EPOCH) ? null : text(progress.logBegins()));
    }

    private static WindowBody window(MergedWindow window, Quantiles quantiles) {
        Metrics total = window.total();
        return new WindowBody(text(window.window().start()), text(window.window().end()), total.eventCount(),
                total.revenue().toPlainString(), total.averageDurationMs(), total.durationSumMs(), uniqueUsers(total),
                durationQuantiles(total, quantiles), new SourceBody(part(window.fromBatch()), part(window.fromSpeed())));
    }

    /** The estimated distinct users; {@code null} when part of the events' sketches is not known (views written before). */
    private static Long uniqueUsers(Metrics metrics) {
        return metrics.knownSketches().map(sketches -> sketches.users().estimate()).orElse(null);
    }

    private static Map<String, Long> durationQuantiles(Metrics metrics, Quantiles quantiles) {
        return metrics.knownSketches().map(sketches -> quantiles.of(sketches.durations())).orElse(null);
    }

    private static PartBody part(Metrics metrics) {
        return new PartBody(metrics.eventCount(), metrics.revenue().toPlainString(), metrics.durationSumMs());
    }

    private static List<GapBody> gaps(List<IngestGap> gaps) {
        return gaps.stream().map(gap -> new GapBody(text(gap.from()), text(gap.to()), gap.reason())).toList();
    }

    private static String text(Instant instant) {
        return IsoInstants.format(instant);
    }

    /** Writes the fields of a value, between the braces {@link #fieldByField} writes. */
    @FunctionalInterface
    private interface FieldWriter<T> {
        void write(T value, JsonGenerator json) throws IOException;
    }

    /** A serializer that writes a value as an object field by field, without reflection. */
    private static <T> StdSerializer<T> fieldByField(Class<T> type, FieldWriter<T> fields) {
        return new StdSerializer<>(type) {
            @Override
            public void serialize(T value, JsonGenerator json, SerializerProvider provider) throws IOException {
                json.writeStartObject();
                fields.write(value, json);
                json.writeEndObject();
            }
        };
    }

    /** {@link WindowBody}'s fields as its annotations name them. */
    private static void windowFields(WindowBody window, JsonGenerator json) throws IOException {
        json.writeStringField("start", window.start());
        json.writeStringField("end", window.end());
        json.writeNumberField("event_count", window.eventCount());
        json.writeStringField("revenue", window.revenue());
        json.writeFieldName("avg_duration_ms");
        json.writeNumber(window.avgDurationMs());
        json.writeFieldName("duration_sum_ms");
        json.writeNumber(window.durationSumMs());
        json.writeFieldName("unique_users");
        if (window.uniqueUsers() == null) {
            json.writeNull();
        }
        else {
            json.writeNumber(window.uniqueUsers());
        }
        json.writeFieldName("duration_quantiles_ms");
        if (window.durationQuantilesMs() == null) {
            json.writeNull();
        }
        else {
            json.writeStartObject();
            for (Map.Entry<String, Long> quantile : window.durationQuantilesMs().entrySet()) {
                json.writeNumberField(quantile.getKey(), quantile.getValue());
            }
            json.writeEndObject();
        }
        json.writeObjectFieldStart("source");
        json.writeObjectFieldStart("batch");
        partFields(window.source().batch(), json);
        json.writeEndObject();
        json.writeObjectFieldStart("speed");
        partFields(window.source().speed(), json);
        json.writeEndObject();
        json.writeEndObject();
    }

    /** {@link PartBody}'s fields as its annotations name them. */
    private static void partFields(PartBody part, JsonGenerator json) throws IOException {
        json.writeNumberField("event_count", part.eventCount());
        json.writeStringField("revenue", part.revenue());
        json.writeFieldName("duration_sum_ms");
        json.writeNumber(part.durationSumMs());
    }
}
