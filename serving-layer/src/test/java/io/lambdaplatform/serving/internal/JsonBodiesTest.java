package io.lambdaplatform.serving.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lambdaplatform.serving.internal.JsonBodies.PartBody;
import io.lambdaplatform.serving.internal.JsonBodies.SourceBody;
import io.lambdaplatform.serving.internal.JsonBodies.WindowBody;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class JsonBodiesTest {

    private static final SourceBody SOURCE = new SourceBody(new PartBody(1, "10.00", BigInteger.valueOf(100)), new PartBody(2, "0.05", BigInteger.TWO));
    private final ObjectMapper byReflection = new ObjectMapper().enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);

    @Test
    void aWindowIsWrittenAsItsAnnotationsDescribeIt() throws Exception {
        Map<String, Long> quantiles = new LinkedHashMap<>();
        quantiles.put("p50", 90L);
        quantiles.put("p99.9", 200L);
        WindowBody window = new WindowBody("2026-11-24T10:00:00Z", "2026-11-24T11:00:00Z", 3, "10.05", new BigDecimal("1.0E+2"),
                new BigInteger("300"), 2L, quantiles, SOURCE);

        String written = JsonBodies.mapper().writeValueAsString(List.of(window));

        assertThat(written).isEqualTo(byReflection.writeValueAsString(List.of(window)));
        assertThat(written).isEqualTo("[{\"start\":\"2026-11-24T10:00:00Z\",\"end\":\"2026-11-24T11:00:00Z\",\"event_count\":3,"
                + "\"revenue\":\"10.05\",\"avg_duration_ms\":100,\"duration_sum_ms\":300,\"unique_users\":2,"
                + "\"duration_quantiles_ms\":{\"p50\":90,\"p99.9\":200},\"source\":{\"batch\":{\"event_count\":1,"
                + "\"revenue\":\"10.00\",\"duration_sum_ms\":100},\"speed\":{\"event_count\":2,\"revenue\":\"0.05\",\"duration_sum_ms\":2}}}]");
    }

    @Test
    void aWindowWhoseSketchesAreNotKnownSaysNull() throws Exception {
        WindowBody window = new WindowBody("2026-11-24T10:00:00Z", "2026-11-24T11:00:00Z", 3, "10.05", new BigDecimal("100.000"),
                new BigInteger("300"), null, null, SOURCE);

        String written = JsonBodies.mapper().writeValueAsString(window);

        assertThat(written).isEqualTo(byReflection.writeValueAsString(window));
        assertThat(written).contains("\"unique_users\":null,\"duration_quantiles_ms\":null,");
    }
}
