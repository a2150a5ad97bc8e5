package io.lambdaplatform.batch;

import io.lambdaplatform.model.EventRules;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Which ranges an incremental run reads its new records from; the rest of the plan is in {@link IncrementalRecomputeTest}. */
class RecomputePlanTest {

    private static final Instant C0 = Instant.parse("2026-12-05T10:00:00Z");

    @Test
    void aKafkaRangeEndingAtTheCutoffHoldsNothingAtOrAfterItAnImportAtTheCutoffDoes() {
        ArchivedRange endsAtCutoff = kafka("kafka_a", "1970-01-01T00:00:00Z", "2026-12-05T10:00:00Z", 10);
        ArchivedRange crossesCutoff = kafka("kafka_b", "2026-12-05T09:59:00Z", "2026-12-05T10:00:00.001Z", 10);
        ArchivedRange after = kafka("kafka_c", "2026-12-05T10:00:00Z", "2026-12-05T10:05:00Z", 10);
        ArchivedRange emptyAfter = kafka("kafka_d", "2026-12-05T10:05:00Z", "2026-12-05T10:06:00Z", 0);
        ArchivedRange importAtCutoff = imported("import_a", "2026-12-05T10:00:00Z");
        ArchivedRange importBefore = imported("import_b", "2026-12-05T09:59:59.999Z");

        assertThat(RecomputePlan.reaching(List.of(endsAtCutoff, crossesCutoff, after, emptyAfter, importAtCutoff, importBefore), C0))
                .containsExactly(crossesCutoff, after, importAtCutoff);
    }

    private static ArchivedRange kafka(String id, String from, String to, long records) {
        return new ArchivedRange(id, ArchivedRange.Source.KAFKA, Instant.parse(from), Instant.parse(to), records, Instant.EPOCH, "events",
                List.of(), List.of(), true, EventRules.VERSION, true);
    }

    private static ArchivedRange imported(String id, String at) {
        return new ArchivedRange(id, ArchivedRange.Source.IMPORT, Instant.parse(at), Instant.parse(at), 1, Instant.EPOCH, "file:///import",
                List.of(), List.of(), true, EventRules.VERSION, true);
    }
}
