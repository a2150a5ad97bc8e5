package io.lambdaplatform.speed.internal;

import io.lambdaplatform.speed.SpeedWatermarks;
import io.lambdaplatform.viewstore.SpeedViews;
import org.apache.kafka.streams.state.StoreBuilder;

import java.util.Map;

import static java.util.Objects.requireNonNull;

/** Builds one {@link PendingWrites} per stream task; never cached, never changelogged. */
public final class PendingWritesBuilder implements StoreBuilder<PendingWrites> {

    private final SpeedViews views;
    private final DeltaWriter writer;
    private final SpeedWatermarks watermarks;

    public PendingWritesBuilder(SpeedViews views, DeltaWriter writer, SpeedWatermarks watermarks) {
        this.views = requireNonNull(views, "views is null");
        this.writer = requireNonNull(writer, "writer is null");
        this.watermarks = requireNonNull(watermarks, "watermarks is null");
    }

    @Override
    public StoreBuilder<PendingWrites> withCachingEnabled() {
        throw new UnsupportedOperationException(PendingWrites.NAME + " cannot be cached");
    }

    @Override
    public StoreBuilder<PendingWrites> withCachingDisabled() {
        return this;
    }

    @Override
    public StoreBuilder<PendingWrites> withLoggingEnabled(Map<String, String> config) {
        throw new UnsupportedOperationException(PendingWrites.NAME + " has no changelog");
    }

    @Override
    public StoreBuilder<PendingWrites> withLoggingDisabled() {
        return this;
    }

    @Override
    public PendingWrites build() {
        return new PendingWrites(views, writer, watermarks);
    }

    @Override
    public Map<String, String> logConfig() {
        return Map.of();
    }

    @Override
    public boolean loggingEnabled() {
        return false;
    }

    @Override
    public String name() {
        return PendingWrites.NAME;
    }
}
