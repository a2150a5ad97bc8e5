package io.lambdaplatform.batch.internal;

import io.lambdaplatform.model.EventCodec;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

/**
 * A 128-bit fingerprint of an event identity (product id, event id): two 64-bit xxHash values of the pair with
 * different seeds, Spark's {@code xxhash64}, which hashes each string's UTF-8 bytes in turn (so {@code ("ab", "c")}
 * and {@code ("a", "bc")} differ). The archive stores it for every valid record, so that an incremental run compares
 * the new records with history by two longs per record instead of reading and hashing two strings
 * ({@link io.lambdaplatform.batch.RecomputeStage}); a range archived without it gets the same values from its identity
 * columns when it is read.
 *
 * <p>Two different identities share a fingerprint with probability 2^-128 per pair: an incremental run that compares a
 * million new identities with a trillion old ones meets such a pair with probability below 10^-20, and would then leave
 * the new event out until the next full recompute, which compares the identities themselves.
 */
public final class IdentityFingerprint {

    public static final String HIGH = "identity_fp_high";
    public static final String LOW = "identity_fp_low";
    /** Both columns, in this order. */
    public static final List<String> COLUMNS = List.of(HIGH, LOW);
    /** Hashed before the identity for {@link #LOW}: xxHash64 chains its seed through the values it hashes. */
    private static final long LOW_SALT = 0x6c616d6264612d69L;

    private IdentityFingerprint() {}

    /** The first half, of columns {@code product_id} and {@code event_id}; also what orders copies in {@link ViewAggregation}. */
    public static Column high() {
        return xxhash64(col(EventCodec.PRODUCT_ID), col(EventCodec.EVENT_ID));
    }

    /** The second half, of columns {@code product_id} and {@code event_id}. */
    public static Column low() {
        return xxhash64(lit(LOW_SALT), col(EventCodec.PRODUCT_ID), col(EventCodec.EVENT_ID));
    }

    /**
     * The judged records with both columns appended: the fingerprint of each valid record ({@link RecordJudge#VALID}),
     * null for the others. What the archive stores.
     */
    public static Dataset<Row> stored(Dataset<Row> judged) {
        return judged.withColumn(HIGH, when(col(RecordJudge.VALID), high())).withColumn(LOW, when(col(RecordJudge.VALID), low()));
    }
}
