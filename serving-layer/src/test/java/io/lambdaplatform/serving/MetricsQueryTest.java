package io.lambdaplatform.serving;

import io.lambdaplatform.model.Granularity;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MetricsQueryTest {

    @Test
    void unalignedEndsAreAlignedOutwardToWholeWindows() {
        MetricsQuery query = MetricsQuery.parse("p-1", "2026-11-24T10:17:03.5Z", "2026-11-24T12:00:00.001+01:00", "1h", 100);

        assertThat(query).isEqualTo(new MetricsQuery("p-1", Granularity.ONE_HOUR,
                Instant.parse("2026-11-24T10:00:00Z"), Instant.parse("2026-11-24T12:00:00Z")));
        assertThat(query.windowCount()).isEqualTo(2);
    }

    @Test
    void alignedEndsStayAsTheyAre() {
        MetricsQuery query = MetricsQuery.parse("p.a:b_c-9", "2026-11-17T00:00:00Z", "2026-11-24T00:00:00Z", "5m", 2016);

        assertThat(query.from()).isEqualTo(Instant.parse("2026-11-17T00:00:00Z"));
        assertThat(query.to()).isEqualTo(Instant.parse("2026-11-24T00:00:00Z"));
        assertThat(query.windowCount()).isEqualTo(2016);
    }

    @Test
    void eachBadParameterIsNamed() {
        assertRejected("p 1", "2026-11-24T10:00:00Z", "2026-11-24T11:00:00Z", "1h", "product_id", "only letters, digits and . _ : - are allowed");
        assertRejected("x".repeat(129), "2026-11-24T10:00:00Z", "2026-11-24T11:00:00Z", "1h", "product_id", "longer than 128 characters");
        assertRejected("p-1", "2026-11-24T10:00:00Z", "2026-11-24T11:00:00Z", "2h", "granularity", "unknown granularity '2h'");
        assertRejected("p-1", "2026-11-24T10:00:00Z", "2026-11-24T11:00:00Z", null, "granularity", "is required");
        assertRejected("p-1", null, "2026-11-24T11:00:00Z", "1h", "from", "is required");
        assertRejected("p-1", "yesterday", "2026-11-24T11:00:00Z", "1h", "from", "not an ISO-8601 instant");
        assertRejected("p-1", "2026-11-24T10:00:00", "2026-11-24T11:00:00Z", "1h", "from", "not an ISO-8601 instant");
        assertRejected("p-1", "2026-11-24T10:00:00Z", "2026-13-24T11:00:00Z", "1h", "to", "not an ISO-8601 instant");
        assertRejected("p-1", "2026-11-24T11:00:00Z", "2026-11-24T11:00:00Z", "1h", "to", "must be after from");
        assertRejected("p-1", "2026-11-24T12:00:00Z", "2026-11-24T11:00:00Z", "1h", "to", "must be after from");
        assertRejected("p-1", "1969-12-31T23:00:00Z", "2026-11-24T11:00:00Z", "1d", "from", "must lie between");
        assertRejected("p-1", "2026-11-17T00:00:00Z", "2026-11-24T00:05:00Z", "5m", "to", "spans 2017 windows of 5m; at most 2016 are allowed");
    }

    private static void assertRejected(String product, String from, String to, String granularity, String parameter, String problem) {
        assertThatThrownBy(() -> MetricsQuery.parse(product, from, to, granularity, 2016))
                .isInstanceOfSatisfying(InvalidQueryException.class, e -> {
                    assertThat(e.parameter()).isEqualTo(parameter);
                    assertThat(e.problem()).contains(problem);
                });
    }
}
