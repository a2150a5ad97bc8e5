package io.lambdaplatform.serving;

import io.lambdaplatform.model.DurationSketch;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * The duration quantiles an answer gives per window, each under its percentile label: {@code 0.5} is {@code p50},
 * {@code 0.999} is {@code p99.9}. Parsed from the {@code quantiles} parameter ({@code quantiles=0.9,0.999}); p50, p95
 * and p99 when it is absent.
 */
public final class Quantiles {

    /** The most quantiles one request may ask for. */
    public static final int MAX = 10;
    /** p50, p95, p99. */
    public static final Quantiles DEFAULT = new Quantiles(List.of(new BigDecimal("0.5"), new BigDecimal("0.95"), new BigDecimal("0.99")));

    private final List<BigDecimal> ranks;
    // Worked out once: an answer asks every window for every quantile.
    private final String[] labels;
    private final double[] fractions;

    public Quantiles(List<BigDecimal> ranks) {
        this.ranks = List.copyOf(requireNonNull(ranks, "ranks is null"));
        if (this.ranks.isEmpty() || this.ranks.size() > MAX) {
            throw new IllegalArgumentException("From 1 to " + MAX + " quantiles, not " + this.ranks.size());
        }
        this.labels = this.ranks.stream().map(Quantiles::label).toArray(String[]::new);
        this.fractions = this.ranks.stream().mapToDouble(BigDecimal::doubleValue).toArray();
    }

    /** The ranks asked for, in order. */
    public List<BigDecimal> ranks() {
        return ranks;
    }

    /**
     * Reads the {@code quantiles} parameter: from 1 to {@value #MAX} comma-separated numbers in [0, 1].
     *
     * @throws InvalidQueryException naming {@code quantiles} when it is not that
     */
    public static Quantiles parse(String text) {
        if (text == null) {
            return DEFAULT;
        }
        List<BigDecimal> ranks = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            BigDecimal rank;
            try {
                rank = new BigDecimal(part.strip());
            }
            catch (NumberFormatException e) {
                throw invalid(text);
            }
            if (rank.signum() < 0 || rank.compareTo(BigDecimal.ONE) > 0 || rank.scale() > 6) {
                throw invalid(text);
            }
            // 0.5 and 0.50 are one quantile, p50.
            rank = rank.stripTrailingZeros();
            if (!ranks.contains(rank)) {
                ranks.add(rank);
            }
        }
        if (ranks.size() > MAX) {
            throw new InvalidQueryException("quantiles", "at most " + MAX + " quantiles: '" + MetricsQuery.abbreviate(text) + "'");
        }
        return new Quantiles(ranks);
    }

    /** Each quantile of the sketch under its label, in the order asked; {@code null} when there is no sketch or no duration. */
    public Map<String, Long> of(DurationSketch durations) {
        if (durations == null || durations.isEmpty()) {
            return null;
        }
        Map<String, Long> values = new LinkedHashMap<>(2 * labels.length);
        for (int i = 0; i < labels.length; i++) {
            values.put(labels[i], durations.quantile(fractions[i]));
        }
        return values;
    }

    /** The percentile label of a rank: {@code p50}, {@code p99.9}, {@code p0}, {@code p100}. */
    static String label(BigDecimal rank) {
        return "p" + rank.movePointRight(2).stripTrailingZeros().toPlainString();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Quantiles that && ranks.equals(that.ranks);
    }

    @Override
    public int hashCode() {
        return ranks.hashCode();
    }

    @Override
    public String toString() {
        return "Quantiles" + List.of(labels);
    }

    private static InvalidQueryException invalid(String text) {
        return new InvalidQueryException("quantiles", "comma-separated numbers from 0 to 1 with at most 6 decimals (e.g. 0.9,0.999): '"
                + MetricsQuery.abbreviate(text) + "'");
    }
}
