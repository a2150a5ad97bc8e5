package io.lambdaplatform.model;

import java.time.Duration;
import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * How ingest time (the broker's LogAppendTime) is cut into buckets. The speed layer aggregates within
 * buckets and the batch layer only ever picks a cutoff at a bucket start, so "speed rows with bucket
 * &ge; cutoff" are exactly the events the batch view does not cover.
 *
 * @param width at least one second and a whole divisor of a day, so buckets align with UTC days
 */
public record IngestBuckets(Duration width) {

    private static final long DAY_MILLIS = Duration.ofDays(1).toMillis();

    public static final IngestBuckets DEFAULT = new IngestBuckets(Duration.ofMinutes(1));

    public IngestBuckets {
        requireNonNull(width, "width is null");
        if (width.compareTo(Duration.ofSeconds(1)) < 0 || width.toMillis() > DAY_MILLIS
                || width.getNano() % 1_000_000 != 0 || DAY_MILLIS % width.toMillis() != 0) {
            throw new IllegalArgumentException(
                    "lambda.ingest.bucket-width must be at least 1s and divide a day evenly: " + width);
        }
    }

    /** The start of the bucket that contains {@code ingestTime}. */
    public Instant bucketStart(Instant ingestTime) {
        long widthMillis = width.toMillis();
        return Instant.ofEpochMilli(Math.floorDiv(ingestTime.toEpochMilli(), widthMillis) * widthMillis);
    }

    public boolean isBucketStart(Instant time) {
        return bucketStart(time).equals(time);
    }
}
