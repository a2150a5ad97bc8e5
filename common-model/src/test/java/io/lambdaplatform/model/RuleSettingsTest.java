package io.lambdaplatform.model;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RuleSettingsTest {

    private static final RuleSettings TWO_SECONDS = new RuleSettings(Optional.of(Duration.ofSeconds(2)));

    @Test
    void readsTheConfigurationAndDescribesItselfAsItParses() {
        assertThat(RuleSettings.from(ConfigFactory.defaultReference())).isEqualTo(RuleSettings.NONE);
        assertThat(RuleSettings.from(ConfigFactory.parseMap(Map.of("lambda.rules.max-duration", "2s")))).isEqualTo(TWO_SECONDS);
        assertThat(TWO_SECONDS.describe()).isEqualTo("max-duration=2000ms");
        assertThat(RuleSettings.parse(TWO_SECONDS.describe())).isEqualTo(TWO_SECONDS);
        assertThat(RuleSettings.parse("")).isEqualTo(RuleSettings.NONE);
        assertThatThrownBy(() -> RuleSettings.parse("max-events=3")).hasMessageContaining("Not rule settings");
        assertThatThrownBy(() -> new RuleSettings(Optional.of(Duration.ofDays(365 * 40)))).hasMessageContaining("lambda.rules.max-duration");
    }

    @Test
    void rejectsOnlyWhatBreaksARule() {
        Instant at = Instant.parse("2026-12-04T10:00:00Z");
        assertThat(TWO_SECONDS.check(new Event("e1", "p1", null, BigDecimal.ONE, 2_000, at))).isEmpty();
        assertThat(TWO_SECONDS.check(new Event("e2", "p1", null, BigDecimal.ONE, 2_001, at)))
                .contains(new Rejection(RejectionReason.RULE, "duration_ms: longer than lambda.rules.max-duration (2000 ms): 2001"));
        assertThat(RuleSettings.NONE.check(new Event("e3", "p1", null, BigDecimal.ONE, EventRules.MAX_DURATION_MS, at))).isEmpty();
    }

    @Test
    void theRulesArePartOfTheLogicVersion() {
        String plain = ViewDefinition.logicVersion(RuleSettings.NONE);
        assertThat(plain).matches("r" + EventRules.VERSION + "-[0-9a-f]{8}");
        assertThat(ViewDefinition.logicVersion(TWO_SECONDS)).isEqualTo(plain + "+max-duration=2000ms");
        assertThat(ViewDefinition.logicVersion(EventRules.VERSION + 1, ViewDefinition.text(), RuleSettings.NONE)).isNotEqualTo(plain);
        assertThat(ViewDefinition.logicVersion(EventRules.VERSION, ViewDefinition.text() + " 1w", RuleSettings.NONE)).isNotEqualTo(plain);
    }
}
