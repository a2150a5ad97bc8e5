package io.lambdaplatform.viewstore;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class BatchBuildTest {

    private static final Instant FULL_AT = Instant.parse("2026-11-24T10:00:00Z");

    private static BatchBuild build(long version, int rulesVersion, String views) {
        return new BatchBuild(version, BatchBuild.Kind.FULL, BatchViews.NO_VERSION, rulesVersion, views, "basis", FULL_AT);
    }

    @Test
    void theLogicVersionNamesTheRulesAndADigestOfTheViewDefinition() {
        // printf 'views' | sha256sum: 74883614...
        assertThat(build(1, 1, "views").logicVersion()).isEqualTo("r1-74883614");
        assertThat(build(7, 1, "views").logicVersion()).as("the same logic in another version").isEqualTo("r1-74883614");
        assertThat(build(1, 2, "views").logicVersion()).isEqualTo("r2-74883614");
        assertThat(build(1, 1, "views; granularities 5m").logicVersion()).startsWith("r1-").isNotEqualTo("r1-74883614");
    }
}
