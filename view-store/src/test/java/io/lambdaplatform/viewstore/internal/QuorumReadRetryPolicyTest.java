package io.lambdaplatform.viewstore.internal;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.context.DriverContext;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.retry.RetryVerdict;
import com.datastax.oss.driver.api.core.servererrors.WriteType;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;

import static org.assertj.core.api.Assertions.assertThat;

class QuorumReadRetryPolicyTest {
    private static final SimpleStatement READ = SimpleStatement.newInstance("SELECT * FROM lambda.speed_rows").setIdempotent(true);

    private final QuorumReadRetryPolicy policy = new QuorumReadRetryPolicy(sessionNamed("s0"), "default");

    @Test
    void aReadThatTimedOutWithTooFewReplicasIsTriedOnceOnTheNextNodeAtTheSameConsistency() {
        assertThat(policy.onReadTimeoutVerdict(READ, ConsistencyLevel.LOCAL_QUORUM, 2, 1, false, 0).getRetryDecision())
                .isEqualTo(RetryVerdict.RETRY_NEXT.getRetryDecision());
        assertThat(policy.onReadTimeoutVerdict(READ, ConsistencyLevel.LOCAL_QUORUM, 2, 1, false, 0).getRetryRequest(READ))
                .as("the consistency stays").isSameAs(READ);
        assertThat(policy.onReadTimeoutVerdict(READ, ConsistencyLevel.LOCAL_QUORUM, 2, 2, false, 0).getRetryDecision())
                .isEqualTo(RetryVerdict.RETRY_NEXT.getRetryDecision());
        assertThat(policy.onReadTimeoutVerdict(READ, ConsistencyLevel.LOCAL_QUORUM, 2, 1, false, 1).getRetryDecision())
                .as("the second timeout fails the read").isEqualTo(RetryVerdict.RETHROW.getRetryDecision());
    }

    @Test
    void writesKeepTheDriversDefaultRules() {
        assertThat(policy.onWriteTimeoutVerdict(READ, ConsistencyLevel.LOCAL_QUORUM, WriteType.SIMPLE, 2, 1, 0).getRetryDecision())
                .isEqualTo(RetryVerdict.RETHROW.getRetryDecision());
        assertThat(policy.onUnavailableVerdict(READ, ConsistencyLevel.LOCAL_QUORUM, 2, 1, 0).getRetryDecision())
                .isEqualTo(RetryVerdict.RETRY_NEXT.getRetryDecision());
    }

    /** The policy asks its context only for the session's name, for its log lines. */
    private static DriverContext sessionNamed(String name) {
        return (DriverContext) Proxy.newProxyInstance(DriverContext.class.getClassLoader(), new Class<?>[] {DriverContext.class}, (proxy, method, args) -> {
            if (method.getName().equals("getSessionName")) {
                return name;
            }
            throw new UnsupportedOperationException(method.getName());
        });
    }
}
