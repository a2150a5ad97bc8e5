package io.lambdaplatform.batch.bench;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * One engine's batch views, row by row: (product, granularity, window start) to (event count, revenue, duration sum),
 * so that two engines' views can be compared exactly.
 */
final class ViewTable {

    /** A row's key. */
    record Cell(String productId, String granularity, Instant windowStart) implements Comparable<Cell> {
        Cell {
            requireNonNull(productId, "productId is null");
            requireNonNull(granularity, "granularity is null");
            requireNonNull(windowStart, "windowStart is null");
        }

        @Override
        public int compareTo(Cell other) {
            int byProduct = productId.compareTo(other.productId);
            if (byProduct != 0) {
                return byProduct;
            }
            int byGranularity = granularity.compareTo(other.granularity);
            return byGranularity != 0 ? byGranularity : windowStart.compareTo(other.windowStart);
        }
    }

    /** A row's aggregate; revenue at scale 2, so that equal sums compare equal. */
    record Aggregate(long eventCount, BigDecimal revenue, BigInteger durationSumMs) {
        Aggregate {
            revenue = requireNonNull(revenue, "revenue is null").setScale(2, RoundingMode.UNNECESSARY);
            requireNonNull(durationSumMs, "durationSumMs is null");
        }
    }

    private final Map<Cell, Aggregate> rows = new TreeMap<>();

    void put(Cell cell, Aggregate aggregate) {
        Aggregate previous = rows.put(cell, aggregate);
        if (previous != null) {
            throw new IllegalStateException("Two rows for " + cell + ": " + previous + " and " + aggregate);
        }
    }

    int size() {
        return rows.size();
    }

    /** Events in the one-day rows: every event is in exactly one of them. */
    long events() {
        return rows.entrySet().stream().filter(row -> row.getKey().granularity().equals("1d"))
                .mapToLong(row -> row.getValue().eventCount()).sum();
    }

    /** The first {@code limit} differences, as lines; empty when both tables hold the same rows. */
    List<String> differences(ViewTable other, int limit) {
        List<String> differences = new ArrayList<>();
        Map<Cell, Aggregate> all = new TreeMap<>(rows);
        all.putAll(other.rows);
        for (Cell cell : all.keySet()) {
            Aggregate mine = rows.get(cell);
            Aggregate theirs = other.rows.get(cell);
            if (!Objects.equals(mine, theirs) && differences.size() < limit) {
                differences.add(cell + ": " + mine + " vs " + theirs);
            }
        }
        return differences;
    }

    boolean sameRows(ViewTable other) {
        return rows.equals(other.rows);
    }
}
