package io.lambdaplatform.speed.internal;

import io.lambdaplatform.model.Event;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * What a source task sends its product tasks through the repartition topic: a valid event with where it
 * came from and its ingest time, or a progress marker of the source partition. Compact binary, versioned
 * by its first byte.
 */
public sealed interface ByProduct {

    /** An event without a user (and every event of releases before the sketches, which did not send the user). */
    byte EVENT = 1;
    byte MARKER = 2;
    /** An event with its user, written after the product id. */
    byte EVENT_WITH_USER = 3;

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

    /**
     * The bytes of {@code message}, the same as {@link DataOutputStream} writes them (big-endian, strings as
     * {@link DataOutputStream#writeUTF}), written straight into one array.
     */
    static byte[] encode(ByProduct message) {
        if (message instanceof SourcedEvent sourced) {
            Event event = sourced.event();
            byte[] eventId = utf(event.eventId());
            byte[] productId = utf(event.productId());
            byte[] userId = event.userId() == null ? new byte[0] : utf(event.userId());
            byte[] unscaled = event.revenue().unscaledValue().toByteArray();
            ByteBuffer out = ByteBuffer.allocate(1 + 4 + 8 + 8 + eventId.length + productId.length + userId.length + 4 + 2 + unscaled.length
                    + 8 + 8 + 4);
            out.put(event.userId() == null ? EVENT : EVENT_WITH_USER)
                    .putInt(sourced.sourcePartition())
                    .putLong(sourced.sourceOffset())
                    .putLong(sourced.ingestTime().toEpochMilli())
                    .put(eventId)
                    .put(productId)
                    .put(userId)
                    .putInt(event.revenue().scale())
                    .putShort((short) unscaled.length)
                    .put(unscaled)
                    .putLong(event.durationMs())
                    .putLong(event.eventTime().getEpochSecond())
                    .putInt(event.eventTime().getNano());
            return out.array();
        }
        Marker marker = (Marker) message;
        return ByteBuffer.allocate(1 + 4 + 4 * 8)
                .put(MARKER)
                .putInt(marker.sourcePartition())
                .putLong(marker.lastOffset())
                .putLong(marker.watermark().toEpochMilli())
                .putLong(marker.coveredSince().toEpochMilli())
                .putLong(marker.logBegins().toEpochMilli())
                .array();
    }

    static ByProduct decode(byte[] data) {
        ByteBuffer in = ByteBuffer.wrap(requireNonNull(data, "data is null"));
        try {
            byte kind = in.get();
            if (kind == EVENT || kind == EVENT_WITH_USER) {
                int partition = in.getInt();
                long offset = in.getLong();
                Instant ingestTime = Instant.ofEpochMilli(in.getLong());
                String eventId = readUtf(in);
                String productId = readUtf(in);
                String userId = kind == EVENT_WITH_USER ? readUtf(in) : null;
                int scale = in.getInt();
                byte[] unscaled = new byte[in.getShort()];
                in.get(unscaled);
                long duration = in.getLong();
                Instant eventTime = Instant.ofEpochSecond(in.getLong(), in.getInt());
                return new SourcedEvent(partition, offset, ingestTime,
                        new Event(eventId, productId, userId, new BigDecimal(new BigInteger(unscaled), scale), duration, eventTime));
            }
            if (kind == MARKER) {
                int partition = in.getInt();
                long lastOffset = in.getLong();
                Instant watermark = Instant.ofEpochMilli(in.getLong());
                Instant coveredSince = Instant.ofEpochMilli(in.getLong());
                // markers of an earlier release end here: their partition's log start is unknown
                Instant logBegins = in.remaining() >= Long.BYTES ? Instant.ofEpochMilli(in.getLong()) : Instant.EPOCH;
                return new Marker(partition, lastOffset, watermark, coveredSince, logBegins);
            }
            throw new IllegalArgumentException("Unknown record kind " + kind + " in the repartition topic");
        }
        catch (BufferUnderflowException | NegativeArraySizeException e) {
            throw new UncheckedIOException("Corrupt record in the repartition topic", new EOFException(e.toString()));
        }
    }

    /** {@link DataOutputStream#writeUTF}'s bytes: a 2-byte length, then modified UTF-8 (ASCII other than NUL is one byte a char). */
    private static byte[] utf(String text) {
        int length = text.length();
        // writeUTF's limit is 65,535 bytes after the length; the general path reports a longer text
        if (length <= 65_535) {
            byte[] bytes = new byte[2 + length];
            bytes[0] = (byte) (length >>> 8);
            bytes[1] = (byte) length;
            for (int i = 0; i < length; i++) {
                char c = text.charAt(i);
                if (c == 0 || c >= 0x80) {
                    return utfOfAnyText(text);
                }
                bytes[2 + i] = (byte) c;
            }
            return bytes;
        }
        return utfOfAnyText(text);
    }

    private static byte[] utfOfAnyText(String text) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(2 + 3 * text.length());
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(text);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot encode '" + text + "' for the repartition topic", e);
        }
        return bytes.toByteArray();
    }

    /** Reads what {@link #utf} wrote, as {@link DataInputStream#readUTF} does. */
    private static String readUtf(ByteBuffer in) {
        int length = Short.toUnsignedInt(in.getShort());
        int start = in.position();
        byte[] array = in.array();
        for (int i = start; i < start + length; i++) {
            if (array[i] <= 0) {
                // a byte of a multi-byte character (negative), or a malformed NUL: the general decoder
                return readUtfOfAnyText(in, length);
            }
        }
        in.position(start + length);
        return new String(array, start, length, StandardCharsets.ISO_8859_1);
    }

    private static String readUtfOfAnyText(ByteBuffer in, int length) {
        int start = in.position() - 2;
        try (DataInputStream data = new DataInputStream(new ByteArrayInputStream(in.array(), start, 2 + length))) {
            String text = data.readUTF();
            in.position(start + 2 + length);
            return text;
        }
        catch (IOException e) {
            throw new UncheckedIOException("Corrupt record in the repartition topic", e);
        }
    }
}
