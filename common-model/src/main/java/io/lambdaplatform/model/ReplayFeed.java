package io.lambdaplatform.model;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * What one record of a replay feed says besides its key and value. A replay feed is the master dataset copied by the
 * batch layer into a topic of its own ({@code ./lambda batch replay-feed}), for the speed layer's topology to read before
 * the live topic ({@code ./lambda replay}). Partition {@code p} of the feed holds, in offset order, the archived records
 * of partition {@code p} of the events topic, each with its offset there and its LogAppendTime ({@link Archived}); the
 * holes the batch layer recorded, where they fall ({@link Hole}); and last the offset where the archive of the partition
 * ends ({@link End}), where the replay goes on in the events topic.
 *
 * <p>Each is one header of text (decimal numbers, times in epoch milliseconds), so that {@code kcat -f '%h'} shows it.
 */
public sealed interface ReplayFeed {

    /** On an archived record: {@code offset,ingest}, its offset in the events topic and its LogAppendTime. */
    String ARCHIVED_HEADER = "lambda.replay.archived";
    /** On a hole: {@code fromOffset,toOffset,fromIngest,toIngest} (an {@code IngestHole} of the batch layer). */
    String HOLE_HEADER = "lambda.replay.hole";
    /** On the last record of a partition: {@code toOffset,lastIngest}. */
    String END_HEADER = "lambda.replay.end";

    /** The header of this entry: name and value. */
    Map.Entry<String, byte[]> header();

    /** An archived record of the events topic: its offset there and its LogAppendTime. */
    record Archived(long offset, Instant ingestTime) implements ReplayFeed {
        public Archived {
            requireNonNull(ingestTime, "ingestTime is null");
        }

        @Override
        public Map.Entry<String, byte[]> header() {
            return entry(ARCHIVED_HEADER, offset + "," + ingestTime.toEpochMilli());
        }
    }

    /** Offsets {@code [fromOffset, toOffset)} the log deleted before the batch layer archived them, ingested in {@code [fromIngest, toIngest)}. */
    record Hole(long fromOffset, long toOffset, Instant fromIngest, Instant toIngest) implements ReplayFeed {
        public Hole {
            requireNonNull(fromIngest, "fromIngest is null");
            requireNonNull(toIngest, "toIngest is null");
        }

        @Override
        public Map.Entry<String, byte[]> header() {
            return entry(HOLE_HEADER, fromOffset + "," + toOffset + "," + fromIngest.toEpochMilli() + "," + toIngest.toEpochMilli());
        }
    }

    /**
     * The archive of the partition ends before {@code toOffset}: the replay reads the events topic from there.
     *
     * @param lastIngest the ingest time of the last archived record (the running maximum of LogAppendTime)
     */
    record End(long toOffset, Instant lastIngest) implements ReplayFeed {
        public End {
            requireNonNull(lastIngest, "lastIngest is null");
        }

        @Override
        public Map.Entry<String, byte[]> header() {
            return entry(END_HEADER, toOffset + "," + lastIngest.toEpochMilli());
        }
    }

    /**
     * What a record of a feed says, from its headers ({@code header} returns a header's value or {@code null}); empty
     * when it has none of the three or one that does not parse.
     */
    static Optional<ReplayFeed> read(Function<String, byte[]> header) {
        try {
            long[] archived = numbers(header.apply(ARCHIVED_HEADER), 2);
            if (archived != null) {
                return Optional.of(new Archived(archived[0], Instant.ofEpochMilli(archived[1])));
            }
            long[] hole = numbers(header.apply(HOLE_HEADER), 4);
            if (hole != null) {
                return Optional.of(new Hole(hole[0], hole[1], Instant.ofEpochMilli(hole[2]), Instant.ofEpochMilli(hole[3])));
            }
            long[] end = numbers(header.apply(END_HEADER), 2);
            if (end != null) {
                return Optional.of(new End(end[0], Instant.ofEpochMilli(end[1])));
            }
        }
        catch (IllegalArgumentException | java.time.DateTimeException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** Whether {@code name} is one of the feed's headers (a dead-lettered record of a replay leaves them out). */
    static boolean isFeedHeader(String name) {
        return ARCHIVED_HEADER.equals(name) || HOLE_HEADER.equals(name) || END_HEADER.equals(name);
    }

    private static long[] numbers(byte[] value, int count) {
        if (value == null) {
            return null;
        }
        String[] parts = new String(value, StandardCharsets.UTF_8).split(",", -1);
        if (parts.length != count) {
            throw new IllegalArgumentException("expected " + count + " numbers");
        }
        long[] numbers = new long[count];
        for (int i = 0; i < count; i++) {
            numbers[i] = Long.parseLong(parts[i]);
        }
        return numbers;
    }

    private static Map.Entry<String, byte[]> entry(String name, String value) {
        return Map.entry(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
