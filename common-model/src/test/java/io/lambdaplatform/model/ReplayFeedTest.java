package io.lambdaplatform.model;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ReplayFeedTest {

    private static final Instant T = Instant.parse("2026-12-04T10:00:00.123Z");

    @Test
    void eachEntryReadsBackFromItsOneHeaderOfText() {
        ReplayFeed archived = new ReplayFeed.Archived(41, T);
        ReplayFeed hole = new ReplayFeed.Hole(3, 5, Instant.EPOCH, T);
        ReplayFeed end = new ReplayFeed.End(42, T);

        assertThat(text(archived.header())).isEqualTo("lambda.replay.archived=41,1796378400123");
        assertThat(text(hole.header())).isEqualTo("lambda.replay.hole=3,5,0,1796378400123");
        assertThat(text(end.header())).isEqualTo("lambda.replay.end=42,1796378400123");
        for (ReplayFeed entry : new ReplayFeed[] {archived, hole, end}) {
            Map.Entry<String, byte[]> header = entry.header();
            assertThat(ReplayFeed.read(name -> name.equals(header.getKey()) ? header.getValue() : null)).contains(entry);
            assertThat(ReplayFeed.isFeedHeader(header.getKey())).isTrue();
        }
    }

    @Test
    void aRecordWithoutAFeedHeaderOrWithOneThatDoesNotParseSaysNothing() {
        assertThat(ReplayFeed.read(name -> null)).isEmpty();
        assertThat(ReplayFeed.read(name -> name.equals(ReplayFeed.ARCHIVED_HEADER) ? bytes("41") : null)).isEmpty();
        assertThat(ReplayFeed.read(name -> name.equals(ReplayFeed.END_HEADER) ? bytes("x,1") : null)).isEmpty();
        assertThat(ReplayFeed.isFeedHeader("lambda.rejection.reason")).isFalse();
    }

    private static String text(Map.Entry<String, byte[]> header) {
        return header.getKey() + "=" + new String(header.getValue(), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
