package io.lambdaplatform.viewstore;

import com.datastax.oss.driver.api.core.cql.Row;
import io.lambdaplatform.model.DurationSketch;
import io.lambdaplatform.model.SketchMeasure;
import io.lambdaplatform.model.Sketches;
import io.lambdaplatform.model.UserSketch;

import java.nio.ByteBuffer;

/**
 * The sketch columns of the view tables, one blob per {@link SketchMeasure}, named by {@link SketchMeasure#column()}:
 * null in rows written before the platform kept sketches, and in speed-row corrections.
 */
final class SketchColumns {

    static final String USERS = SketchMeasure.UNIQUE_USERS.column();
    static final String DURATIONS = SketchMeasure.DURATION_QUANTILES.column();
    /** The two columns, for a column list. */
    static final String NAMES = USERS + ", " + DURATIONS;

    private SketchColumns() {}

    static ByteBuffer users(Sketches sketches) {
        return sketches == null ? null : sketches.users().bytes();
    }

    static ByteBuffer durations(Sketches sketches) {
        return sketches == null ? null : sketches.durations().bytes();
    }

    /** The row's sketches; {@code null} when it has none (or the table no such columns, as an earlier release's). */
    static Sketches read(Row row) {
        if (!row.getColumnDefinitions().contains(USERS)) {
            return null;
        }
        ByteBuffer users = row.getByteBuffer(USERS);
        ByteBuffer durations = row.getByteBuffer(DURATIONS);
        if (users == null || durations == null) {
            return null;
        }
        return new Sketches(UserSketch.fromBytes(bytes(users)), DurationSketch.fromBytes(bytes(durations)));
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
