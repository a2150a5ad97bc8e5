package io.lambdaplatform.speed.internal;

import io.lambdaplatform.model.Event;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * What a source task sends its product tasks through the repartition topic: a valid event with where it
 * came from and its ingest time, or a progress marker of the source partition. Compact binary, versioned
 * by its first byte.
 */
public sealed interface ByProduct {

    byte EVENT = 1;
    byte MARKER = 2;

    /**
     * A valid event read at {@code sourceOffset} of {@code sourcePartition}, ingested at {@code ingestTime}
     * (the partition's running maximum of LogAppendTime up to that offset).
     */
    record SourcedEvent(int sourcePartition, long sourceOffset, Instant ingestTime, Event event) implements ByProduct {
        public SourcedEvent {
            requireNonNull(ingestTime, "ingestTime is null");
            requireNonNull(event, "event is null");
        }

        /** The order that decides which copy of an event is the first: ingest time, then partition, then offset. */
        public boolean isBefore(CountedCopy other) {
            int byTime = ingestTime.compareTo(other.ingestTime());
            if (byTime != 0) {
                return byTime < 0;
            }
            if (sourcePartition != other.sourcePartition()) {
                return sourcePartition < other.sourcePartition();
            }
            return sourceOffset < other.sourceOffset();
        }
    }

    /**
     * Every record of {@code sourcePartition} ingested before {@code watermark} was sent before this marker;
     * the partition's records are all sent from {@code coveredSince} on; it never held a record ingested before
     * {@code logBegins} ({@link Instant#EPOCH}: unknown).
     */
    record Marker(int sourcePartition, long lastOffset, Instant watermark, Instant coveredSince, Instant logBegins) implements ByProduct {
        public Marker {
            requireNonNull(watermark, "watermark is null");
            requireNonNull(coveredSince, "coveredSince is null");
            requireNonNull(logBegins, "logBegins is null");
        }
    }

    static byte[] encode(ByProduct message) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            if (message instanceof SourcedEvent sourced) {
                Event event = sourced.event();
                out.writeByte(EVENT);
                out.writeInt(sourced.sourcePartition());
                out.writeLong(sourced.sourceOffset());
                out.writeLong(sourced.ingestTime().toEpochMilli());
                out.writeUTF(event.eventId());
                out.writeUTF(event.productId());
                out.writeInt(event.revenue().scale());
                byte[] unscaled = event.revenue().unscaledValue().toByteArray();
                out.writeShort(unscaled.length);
                out.write(unscaled);
                out.writeLong(event.durationMs());
                out.writeLong(event.eventTime().getEpochSecond());
                out.writeInt(event.eventTime().getNano());
            }
            else {
                Marker marker = (Marker) message;
                out.writeByte(MARKER);
                out.writeInt(marker.sourcePartition());
                out.writeLong(marker.lastOffset());
                out.writeLong(marker.watermark().toEpochMilli());
                out.writeLong(marker.coveredSince().toEpochMilli());
                out.writeLong(marker.logBegins().toEpochMilli());
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static ByProduct decode(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(requireNonNull(data, "data is null")))) {
            byte kind = in.readByte();
            if (kind == EVENT) {
                int partition = in.readInt();
                long offset = in.readLong();
                Instant ingestTime = Instant.ofEpochMilli(in.readLong());
                String eventId = in.readUTF();
                String productId = in.readUTF();
                int scale = in.readInt();
                byte[] unscaled = new byte[in.readShort()];
                in.readFully(unscaled);
                long duration = in.readLong();
                Instant eventTime = Instant.ofEpochSecond(in.readLong(), in.readInt());
                return new SourcedEvent(partition, offset, ingestTime,
                        new Event(eventId, productId, null, new BigDecimal(new BigInteger(unscaled), scale), duration, eventTime));
            }
            if (kind == MARKER) {
                Marker marker = new Marker(in.readInt(), in.readLong(), Instant.ofEpochMilli(in.readLong()), Instant.ofEpochMilli(in.readLong()),
                        Instant.EPOCH);
                // markers of an earlier release end here: their partition's log start is unknown
                return in.available() >= Long.BYTES
                        ? new Marker(marker.sourcePartition(), marker.lastOffset(), marker.watermark(), marker.coveredSince(),
                                Instant.ofEpochMilli(in.readLong()))
                        : marker;
            }
            throw new IllegalArgumentException("Unknown record kind " + kind + " in the repartition topic");
        }
        catch (IOException e) {
            throw new UncheckedIOException("Corrupt record in the repartition topic", e);
        }
    }
}
