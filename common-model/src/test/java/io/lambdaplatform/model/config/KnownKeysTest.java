package io.lambdaplatform.model.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KnownKeysTest {

    /** common-model's shared sections and one deployable's own, as a speed-layer JVM sees its references. */
    private static final Config REFERENCE = ConfigFactory.parseString("""
            lambda {
              kafka { bootstrap-servers = "localhost:9092", events-topic = "events" }
              cassandra { keyspace = "lambda", username = null }
              speed { commit-interval = 1s, state-dir = null, http { port = 8081 }, streams {} }
            }
            """);
    private static final KnownKeys KNOWN = KnownKeys.of(REFERENCE);

    @Test
    void aTypoStopsTheLoadNamingTheKeyWhereItWasSetAndTheNearestKnownKey() {
        Config config = ConfigFactory.parseString("lambda.speed.comit-interval = 5s", ConfigParseOptions.defaults().setOriginDescription("platform.conf"));

        assertThatThrownBy(() -> KNOWN.requireKnown(config.withFallback(REFERENCE)))
                .isInstanceOf(UnknownConfigKeyException.class)
                .hasMessageStartingWith("Unknown configuration key lambda.speed.comit-interval (set in platform.conf: 1)")
                .hasMessageContaining("did you mean lambda.speed.commit-interval?")
                .satisfies(e -> assertThat(((UnknownConfigKeyException) e).keys()).containsExactly("lambda.speed.comit-interval"));
    }

    @Test
    void everyUnknownKeyIsNamedAtOnceNullsAndObjectsIncluded() {
        Config config = ConfigFactory.parseString("""
                lambda.kafka.bootstrap-server = "b:9092"
                lambda.cassandra.user-name = null
                lambda.speed.http.port.number = 1
                """).withFallback(REFERENCE);

        assertThatThrownBy(() -> KNOWN.requireKnown(config))
                .isInstanceOfSatisfying(UnknownConfigKeyException.class, e -> assertThat(e.keys()).containsExactlyInAnyOrder(
                        "lambda.kafka.bootstrap-server", "lambda.cassandra.user-name", "lambda.speed.http.port.number"))
                .hasMessageContaining("did you mean lambda.kafka.bootstrap-servers?")
                .hasMessageContaining("did you mean lambda.cassandra.username?");
    }

    @Test
    void anUnknownSectionIsRejectedEvenWithoutANearKey() {
        Config config = ConfigFactory.parseString("lambda.sped.commit-interval = 5s").withFallback(REFERENCE);

        assertThatThrownBy(() -> KNOWN.requireKnown(config))
                .hasMessageContaining("lambda.sped.commit-interval")
                .hasMessageContaining("did you mean lambda.speed.commit-interval?");
        assertThatThrownBy(() -> KNOWN.requireKnown(ConfigFactory.parseString("lambda.other.x = 1")))
                .hasMessageStartingWith("Unknown configuration key lambda.other.x")
                .hasMessageNotContaining("did you mean");
    }

    @Test
    void knownKeysPassThroughMapsAndOtherDeployablesSectionsAreAccepted() {
        Config config = ConfigFactory.parseMap(Map.of(
                "lambda.speed.commit-interval", "2s",
                "lambda.speed.state-dir", "/var/lib/speed",
                "lambda.speed.streams.\"num.standby.replicas\"", 1,
                "lambda.batch.anything-the-batch-layer-checks", "x",
                "lambda.serving.port", 9000)).withFallback(REFERENCE);

        assertThatCode(() -> KNOWN.requireKnown(config)).doesNotThrowAnyException();
        assertThatCode(() -> KNOWN.requireKnown(ConfigFactory.parseString("other.tool.key = 1"))).doesNotThrowAnyException();
    }

    @Test
    void editDistanceCountsInsertionsDeletionsAndSubstitutions() {
        assertThat(KnownKeys.distance("comit", "commit")).isEqualTo(1);
        assertThat(KnownKeys.distance("kitten", "sitting")).isEqualTo(3);
        assertThat(KnownKeys.distance("", "abc")).isEqualTo(3);
    }
}
