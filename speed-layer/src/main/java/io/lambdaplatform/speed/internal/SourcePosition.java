package io.lambdaplatform.speed.internal;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

import java.nio.ByteBuffer;
import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * How far a source task has read its partition: the last offset, the running maximum of LogAppendTime up
 * to it (the ingest time of that record and a lower bound of every later one), and since when the
 * partition has been read without a gap that is not recorded as a hole; and before which ingest time the
 * partition never held a record ({@link Instant#EPOCH} when the first record read was not its first).
 */
public record SourcePosition(long lastOffset, Instant ingestTime, Instant coveredSince, Instant logBegins) {

    /** Positions stored by an earlier release have 3 longs, without {@code logBegins}: unknown. */
    private static final int BYTES = 4 * Long.BYTES;

    public SourcePosition {
        requireNonNull(ingestTime, "ingestTime is null");
        requireNonNull(coveredSince, "coveredSince is null");
        requireNonNull(logBegins, "logBegins is null");
    }

    public static Serde<SourcePosition> serde() {
        Serializer<SourcePosition> serializer = (topic, position) -> position == null ? null
                : ByteBuffer.allocate(BYTES).putLong(position.lastOffset()).putLong(position.ingestTime().toEpochMilli())
                        .putLong(position.coveredSince().toEpochMilli()).putLong(position.logBegins().toEpochMilli()).array();
        Deserializer<SourcePosition> deserializer = (topic, data) -> {
            if (data == null) {
                return null;
            }
            ByteBuffer buffer = ByteBuffer.wrap(data);
            return new SourcePosition(buffer.getLong(), Instant.ofEpochMilli(buffer.getLong()), Instant.ofEpochMilli(buffer.getLong()),
                    data.length >= BYTES ? Instant.ofEpochMilli(buffer.getLong()) : Instant.EPOCH);
        };
        return Serdes.serdeFrom(serializer, deserializer);
    }
}
