package io.lambdaplatform.speed.internal;

import io.lambdaplatform.model.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ByProductTest {

    private static final Instant INGEST = Instant.parse("2026-12-03T10:00:00.123Z");

    /** Records written by the previous release (DataOutputStream) are still in repartition topics during an upgrade. */
    @ParameterizedTest
    @ValueSource(strings = {"e-8f3a", "", "ü-ñ-€", "nul\u0000inside", "emoji-\uD83D\uDE00", "x"})
    void writesTheBytesOfThePreviousReleaseAndReadsThemBack(String eventId) {
        Event event = new Event(eventId.isEmpty() ? "e" : eventId, "p-42", null, new BigDecimal("-1234567.89"), 1534,
                Instant.parse("2026-11-24T10:15:30.123456789Z"));
        ByProduct.SourcedEvent sourced = new ByProduct.SourcedEvent(2, 9_876_543_210L, INGEST, event);

        byte[] encoded = ByProduct.encode(sourced);

        assertThat(encoded).isEqualTo(previousReleaseBytes(sourced));
        assertThat(ByProduct.decode(encoded)).isEqualTo(sourced);
    }

    @ParameterizedTest
    @ValueSource(strings = {"alice", "ü-ñ-€", "nul\u0000inside"})
    void carriesTheUserOfAnEventThatNamesOne(String userId) {
        Event event = new Event("e-1", "p-42", userId, new BigDecimal("0.01"), 7, Instant.parse("2026-11-24T10:15:30Z"));
        ByProduct.SourcedEvent sourced = new ByProduct.SourcedEvent(0, 5, INGEST, event);

        byte[] encoded = ByProduct.encode(sourced);

        assertThat(encoded[0]).isEqualTo(ByProduct.EVENT_WITH_USER);
        assertThat(ByProduct.decode(encoded)).isEqualTo(sourced);
        assertThat(((ByProduct.SourcedEvent) ByProduct.decode(encoded)).event().userId()).isEqualTo(userId);
    }

    @Test
    void readsMarkersWithAndWithoutTheLogStart() {
        ByProduct.Marker marker = new ByProduct.Marker(1, 41, INGEST, Instant.EPOCH, INGEST.minusSeconds(60));

        byte[] encoded = ByProduct.encode(marker);

        assertThat(encoded).hasSize(37);
        assertThat(ByProduct.decode(encoded)).isEqualTo(marker);
        // an earlier release's marker ends before the log start, which then reads as unknown
        assertThat(ByProduct.decode(Arrays.copyOf(encoded, 29))).isEqualTo(new ByProduct.Marker(1, 41, INGEST, Instant.EPOCH, Instant.EPOCH));
    }

    @Test
    void rejectsTruncatedAndUnknownRecords() {
        byte[] encoded = ByProduct.encode(new ByProduct.SourcedEvent(0, 1, INGEST,
                new Event("e1", "p1", null, BigDecimal.ONE, 1, INGEST)));

        assertThatThrownBy(() -> ByProduct.decode(Arrays.copyOf(encoded, encoded.length - 1)))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("Corrupt record in the repartition topic");
        assertThatThrownBy(() -> ByProduct.decode(new byte[] {7}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Unknown record kind 7");
    }

    /** The encoding of the release before this one, kept here as the format's reference. */
    private static byte[] previousReleaseBytes(ByProduct.SourcedEvent sourced) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            Event event = sourced.event();
            out.writeByte(ByProduct.EVENT);
            out.writeInt(sourced.sourcePartition());
            out.writeLong(sourced.sourceOffset());
            out.writeLong(sourced.ingestTime().toEpochMilli());
            out.writeUTF(event.eventId());
            out.writeUTF(event.productId());
            out.writeInt(event.revenue().scale());
            byte[] unscaled = event.revenue().unscaledValue().toByteArray();
            out.writeShort(unscaled.length);
            out.write(unscaled);
            out.writeLong(event.durationMs());
            out.writeLong(event.eventTime().getEpochSecond());
            out.writeInt(event.eventTime().getNano());
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
