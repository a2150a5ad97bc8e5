package io.lambdaplatform.viewstore.internal;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.context.DriverContext;
import com.datastax.oss.driver.api.core.retry.RetryVerdict;
import com.datastax.oss.driver.api.core.session.Request;
import com.datastax.oss.driver.internal.core.retry.DefaultRetryPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver's {@link DefaultRetryPolicy}, except that a read which timed out at its coordinator is tried once more on
 * the next node, at the same consistency.
 *
 * <p>A coordinator answers "2 responses were required but only 1 replica responded" when one of the two replicas it
 * chose is slow: starved of CPU, in a long GC pause, or stopped ({@code SIGSTOP}) and not yet marked down. The default
 * policy retries such a read only when enough replicas answered without the data, so one slow node of three turned a
 * read that a quorum could serve into an error (HTTP 503 at the serving layer). Another coordinator, whose view of
 * latencies differs, usually picks two live replicas. The retry stays within the request's own timeout, and a read never
 * settles for fewer replicas: an answer at a lower consistency could miss a row the speed or batch layer wrote at quorum.
 * Writes keep the default rules.
 *
 * <p>Selected by {@code advanced.retry-policy.class} (see {@code CassandraSettings#driverSettings}); the driver calls the
 * constructor by reflection.
 */
public final class QuorumReadRetryPolicy extends DefaultRetryPolicy {
    private static final Logger log = LoggerFactory.getLogger(QuorumReadRetryPolicy.class);

    private final String logPrefix;

    public QuorumReadRetryPolicy(DriverContext context, String profileName) {
        super(context, profileName);
        this.logPrefix = context.getSessionName() + "|" + profileName;
    }

    @Override
    public RetryVerdict onReadTimeoutVerdict(Request request, ConsistencyLevel consistency, int blockFor, int received, boolean dataPresent,
            int retryCount) {
        if (retryCount > 0) {
            return RetryVerdict.RETHROW;
        }
        log.debug("[{}] Read timed out at {} ({} of {} replicas answered); trying the next node", logPrefix, consistency, received, blockFor);
        return RetryVerdict.RETRY_NEXT;
    }
}
