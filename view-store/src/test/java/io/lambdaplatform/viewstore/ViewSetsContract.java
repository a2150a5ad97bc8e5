package io.lambdaplatform.viewstore;

import io.lambdaplatform.model.RuleSettings;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every {@link ViewSets} must do, for the in-memory fake and for Cassandra ({@code CassandraViewSetsIT}): set 0
 * made current once, sets begun after it, switched to by compare-and-set, rolled back, and dropped only when no reader
 * can need them.
 */
public abstract class ViewSetsContract {

    private static final Instant T0 = Instant.parse("2026-12-04T10:00:00Z");
    private static final RuleSettings TWO_HOURS = new RuleSettings(Optional.of(Duration.ofHours(2)));

    /** An empty store of a platform whose keyspace is {@link #base()}. */
    protected abstract ViewSets newStore();

    protected abstract String base();

    @Test
    void theFirstSpeedLayerMakesSetZeroCurrentAndLaterOnesFindIt() {
        ViewSets sets = newStore();
        assertThat(sets.current()).isEmpty();

        ViewSet first = sets.initial("r1-aaaa", RuleSettings.NONE, T0);
        ViewSet again = sets.initial("r1-bbbb", TWO_HOURS, T0.plusSeconds(5));

        assertThat(first).isEqualTo(new ViewSet(0, base(), "r1-aaaa", RuleSettings.NONE, T0, Optional.of(T0)));
        assertThat(again).isEqualTo(first);
        assertThat(sets.current()).contains(first);
        assertThat(sets.previous()).isEmpty();
        assertThat(sets.pending()).isEmpty();
    }

    @Test
    void aSetIsBegunBesideTheCurrentOneSwitchedToByCompareAndSetAndRolledBack() {
        ViewSets sets = newStore();
        ViewSet zero = sets.initial("r1-aaaa", RuleSettings.NONE, T0);

        ViewSet one = sets.begin("r1-aaaa+max-duration=7200000ms", TWO_HOURS, T0.plusSeconds(10));
        assertThat(one).isEqualTo(new ViewSet(1, ViewSet.keyspaceOf(base(), 1), "r1-aaaa+max-duration=7200000ms", TWO_HOURS,
                T0.plusSeconds(10), Optional.empty()));
        assertThat(sets.pending()).contains(one);
        assertThat(sets.current()).contains(zero);

        ViewSet switched = sets.switchTo(one, 0, T0.plusSeconds(20));
        assertThat(switched).isEqualTo(one.switched(T0.plusSeconds(20)));
        assertThat(sets.current()).contains(switched);
        assertThat(sets.previous()).contains(zero);
        assertThat(sets.pending()).isEmpty();
        assertThatThrownBy(() -> sets.switchTo(one, 0, T0.plusSeconds(21))).isInstanceOf(ViewSetMovedException.class)
                .hasMessageContaining("set 1");

        ViewSet back = sets.switchTo(zero, 1, T0.plusSeconds(30));
        assertThat(back.id()).isZero();
        assertThat(sets.current()).contains(back);
        assertThat(sets.previous().map(ViewSet::id)).contains(1L);
        assertThat(sets.pending()).as("a set readers left is not a replay to resume").isEmpty();
        assertThat(sets.begin("r1-cccc", RuleSettings.NONE, T0.plusSeconds(40)).id()).as("numbers are never reused").isEqualTo(2);
        assertThat(sets.all()).extracting(ViewSet::id).containsExactly(2L, 1L, 0L);
    }

    @Test
    void onlySetsNoReaderCanNeedAreDropped() {
        ViewSets sets = newStore();
        ViewSet zero = sets.initial("r1-aaaa", RuleSettings.NONE, T0);
        ViewSet one = sets.begin("r1-bbbb", RuleSettings.NONE, T0.plusSeconds(1));
        ViewSet two = sets.begin("r1-cccc", RuleSettings.NONE, T0.plusSeconds(2));
        sets.switchTo(one, 0, T0.plusSeconds(3));
        ViewSet three = sets.begin("r1-dddd", RuleSettings.NONE, T0.plusSeconds(4));
        sets.switchTo(three, 1, T0.plusSeconds(5));

        assertThatThrownBy(() -> sets.drop(zero)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> sets.drop(three)).as("current").isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> sets.drop(one)).as("previous").isInstanceOf(IllegalArgumentException.class);
        sets.drop(two);

        assertThat(sets.all()).extracting(ViewSet::id).containsExactly(3L, 1L, 0L);
    }
}
