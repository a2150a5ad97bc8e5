package io.lambdaplatform.batch.internal;

import io.lambdaplatform.model.Granularity;
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
 * The aggregates of every window of every granularity of one Spark partition of events, in one pass over its rows: per
 * (product, granularity, window start) the event count, each summed value's high and low 32-bit halves summed as longs,
 * and each {@link SketchMeasure}'s sketch of its field by common-model's {@link SketchMeasure#sketcher()}. Each event
 * updates its window of each granularity, so no row is merged afterwards.
 *
 * <p>That needs every event of a product in this partition, and the partition's rows in groups: the rows of one group
 * follow each other, and a product's rows are all in one group. {@link ViewAggregation} places the events by product and
 * sorts them by a long whose high half hashes the product; the group is that high half. The pass keeps the windows of
 * the groups it has seen until it holds {@value #MAX_WINDOWS} or more, and hands them on when the next group starts.
 *
 * <p>Input rows: the sort long, {@code product_id}, the start of the event's window of the finest granularity, each
 * summed value as an unscaled long (null for none), then each sketch measure's field. Output rows: {@code product_id},
 * the granularity's label, the window start, the count, the high and low sums of each summed value, each sketch
 * measure's serialized sketch.
 */
public final class WindowPass implements MapPartitionsFunction<Row, Row> {

    @Serial
    private static final long serialVersionUID = 1L;

    /** After this many windows the pass hands them on, at the start of the next group. */
    public static final int MAX_WINDOWS = 16_384;
    private static final int FIRST_SUM = 3;
    private static final Granularity[] GRANULARITIES = Granularity.values();
    private static final SketchMeasure[] SKETCHES = SketchMeasure.values();

    private final int sums;

    /** @param sums how many summed values follow the window start in each input row */
    WindowPass(int sums) {
        this.sums = sums;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> events) {
        return new Iterator<>() {
            private final Map<Window, Partial> windows = new HashMap<>();
            private Iterator<Row> ready = Collections.emptyIterator();
            private Row next;
            private long group;

            @Override
            public boolean hasNext() {
                while (!ready.hasNext() && (next != null || events.hasNext() || !windows.isEmpty())) {
                    if (next == null && events.hasNext()) {
                        next = events.next();
                    }
                    while (next != null && (windows.size() < MAX_WINDOWS || next.getLong(0) >>> ViewAggregation.PART_BITS == group)) {
                        add(next);
                        next = events.hasNext() ? events.next() : null;
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
                group = event.getLong(0) >>> ViewAggregation.PART_BITS;
                String productId = event.getString(1);
                long finest = event.getLong(2);
                for (Granularity granularity : GRANULARITIES) {
                    long start = finest - Math.floorMod(finest, granularity.width().toMillis());
                    windows.computeIfAbsent(new Window(productId, granularity, start), ignored -> new Partial(sums)).add(event);
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

    private record Window(String productId, Granularity granularity, long startMillis) {}

    /** One window's aggregate so far. */
    private static final class Partial {

        private long events;
        private final long[] high;
        private final long[] low;
        private final SketchMeasure.Sketcher[] sketchers;

        Partial(int sums) {
            high = new long[sums];
            low = new long[sums];
            sketchers = new SketchMeasure.Sketcher[SKETCHES.length];
            for (int i = 0; i < SKETCHES.length; i++) {
                sketchers[i] = SKETCHES[i].sketcher();
            }
        }

        void add(Row event) {
            events++;
            for (int sum = 0; sum < high.length; sum++) {
                if (!event.isNullAt(FIRST_SUM + sum)) {
                    long value = event.getLong(FIRST_SUM + sum);
                    high[sum] += value >> ViewAggregation.PART_BITS;
                    low[sum] += value & ViewAggregation.LOW_MASK;
                }
            }
            for (int sketch = 0; sketch < sketchers.length; sketch++) {
                sketchers[sketch].add(event.get(FIRST_SUM + high.length + sketch));
            }
        }

        Row row(Window window) {
            Object[] values = new Object[4 + 2 * high.length + sketchers.length];
            int column = 0;
            values[column++] = window.productId();
            values[column++] = window.granularity().label();
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
