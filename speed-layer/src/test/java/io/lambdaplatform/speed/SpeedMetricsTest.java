package io.lambdaplatform.speed;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SpeedMetricsTest {

    /** A store meter as Kafka Streams 4.1 and Micrometer's binder name it: the same name for both store types, other tag keys. */
    private static void registerStoreMeter(PrometheusMeterRegistry registry, String storeTagKey, String store) {
        Gauge.builder("kafka.stream.state.cur.size.active.mem.table", () -> 1.0)
                .tags(Tags.of("kafka.version", "4.1.1", storeTagKey, store, "task.id", "1_0", "thread.id", "t-1"))
                .register(registry);
    }

    @Test
    void theMetersOfKeyValueAndWindowStoresAreBothScraped() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().meterFilter(SpeedMetrics.STORE_TAGS);
        registerStoreMeter(registry, "rocksdb.state.id", "speed-aggregates");
        registerStoreMeter(registry, "rocksdb.window.state.id", "speed-counted-copies");

        assertThat(registry.scrape())
                .contains("kafka_stream_state_cur_size_active_mem_table{kafka_version=\"4.1.1\",rocksdb_state_id=\"speed-aggregates\"")
                .contains("kafka_stream_state_cur_size_active_mem_table{kafka_version=\"4.1.1\",rocksdb_state_id=\"speed-counted-copies\"");
    }

    @Test
    void withoutTheFilterPrometheusDropsTheSecondStoreType() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registerStoreMeter(registry, "rocksdb.state.id", "speed-aggregates");
        registerStoreMeter(registry, "rocksdb.window.state.id", "speed-counted-copies");

        assertThat(registry.scrape()).contains("speed-aggregates").doesNotContain("speed-counted-copies");
    }
}
