package io.lambdaplatform.batch.internal;

import io.lambdaplatform.model.SketchMeasure;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

import java.io.Serial;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * The partial aggregates of the finest windows of one Spark partition of events, in one pass over its rows: per
 * (product, window start) the event count, each summed value's high and low 32-bit halves summed as longs, and each
 * {@link SketchMeasure}'s sketch of its field by common-model's {@link SketchMeasure#sketcher()}. Spark's own sketch
 * aggregates are typed aggregates, which turn the whole aggregate into an interpreted object aggregate that sorts its
 * rows after 128 groups per task; this pass is one hash lookup per event.
 *
 * <p>At most {@value #MAX_GROUPS} windows are kept: past that, every window is handed on and a window seen again starts
 * a new partial row. Partial rows of one window are merged afterwards ({@link ViewAggregation#rollUp}), so the bound
 * changes the number of rows, never the result; rows that come grouped by product, as {@link ViewAggregation#firstCopies}
 * sorts them, give about one row per window.
 *
 * <p>Input rows: {@code product_id}, {@code window_start_ms}, each summed value as an unscaled long (null for none), then
 * each sketch measure's field. Output rows: {@code product_id}, {@code window_start_ms}, the count, the high and low sums
 * of each summed value, each sketch measure's serialized sketch.
 */
public final class FinestWindows implements MapPartitionsFunction<Row, Row> {

    @Serial
    private static final long serialVersionUID = 1L;

    /** How many windows one pass keeps at most. */
    public static final int MAX_GROUPS = 16_384;
    private static final int PART_BITS = 32;
    private static final long LOW_MASK = (1L << PART_BITS) - 1;
    private static final int FIRST_SUM = 2;

    private final int sums;

    /** @param sums how many summed values follow the window start in each input row */
    FinestWindows(int sums) {
        this.sums = sums;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> events) {
        return new Iterator<>() {
            private final Map<Window, Partial> windows = new HashMap<>();
            private Iterator<Row> ready = Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!ready.hasNext() && (events.hasNext() || !windows.isEmpty())) {
                    while (events.hasNext() && windows.size() < MAX_GROUPS) {
                        add(events.next());
                    }
                    ready = drain();
                }
                return ready.hasNext();
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return ready.next();
            }

            private void add(Row event) {
                Window window = new Window(event.getString(0), event.getLong(1));
                Partial partial = windows.computeIfAbsent(window, ignored -> new Partial(sums));
                partial.events++;
                for (int sum = 0; sum < sums; sum++) {
                    if (!event.isNullAt(FIRST_SUM + sum)) {
                        long value = event.getLong(FIRST_SUM + sum);
                        partial.high[sum] += value >> PART_BITS;
                        partial.low[sum] += value & LOW_MASK;
                    }
                }
                for (int sketch = 0; sketch < partial.sketchers.length; sketch++) {
                    partial.sketchers[sketch].add(event.get(FIRST_SUM + sums + sketch));
                }
            }

            private Iterator<Row> drain() {
                List<Row> rows = new ArrayList<>(windows.size());
                for (Map.Entry<Window, Partial> entry : windows.entrySet()) {
                    rows.add(entry.getValue().row(entry.getKey()));
                }
                windows.clear();
                return rows.iterator();
            }
        };
    }

    private record Window(String productId, long startMillis) {}

    /** One window's aggregate so far. */
    private static final class Partial {

        private long events;
        private final long[] high;
        private final long[] low;
        private final SketchMeasure.Sketcher[] sketchers;

        Partial(int sums) {
            high = new long[sums];
            low = new long[sums];
            SketchMeasure[] measures = SketchMeasure.values();
            sketchers = new SketchMeasure.Sketcher[measures.length];
            for (int i = 0; i < measures.length; i++) {
                sketchers[i] = measures[i].sketcher();
            }
        }

        Row row(Window window) {
            Object[] values = new Object[FIRST_SUM + 1 + 2 * high.length + sketchers.length];
            int column = 0;
            values[column++] = window.productId();
            values[column++] = window.startMillis();
            values[column++] = events;
            for (int sum = 0; sum < high.length; sum++) {
                values[column++] = high[sum];
                values[column++] = low[sum];
            }
            for (SketchMeasure.Sketcher sketcher : sketchers) {
                values[column++] = sketcher.toByteArray();
            }
            return RowFactory.create(values);
        }
    }
}
