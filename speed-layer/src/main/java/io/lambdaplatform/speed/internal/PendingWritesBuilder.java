package io.lambdaplatform.speed.internal;

import org.apache.kafka.streams.state.StoreBuilder;

import java.util.Map;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/** Builds one {@link PendingWrites} per stream task; never cached, never changelogged. */
public final class PendingWritesBuilder implements StoreBuilder<PendingWrites> {

    private final String name;
    private final Supplier<PendingWrites> factory;

    public PendingWritesBuilder(String name, Supplier<PendingWrites> factory) {
        this.name = requireNonNull(name, "name is null");
        this.factory = requireNonNull(factory, "factory is null");
    }

    @Override
    public StoreBuilder<PendingWrites> withCachingEnabled() {
        throw new UnsupportedOperationException(name + " cannot be cached");
    }

    @Override
    public StoreBuilder<PendingWrites> withCachingDisabled() {
        return this;
    }

    @Override
    public StoreBuilder<PendingWrites> withLoggingEnabled(Map<String, String> config) {
        throw new UnsupportedOperationException(name + " has no changelog");
    }

    @Override
    public StoreBuilder<PendingWrites> withLoggingDisabled() {
        return this;
    }

    @Override
    public PendingWrites build() {
        return factory.get();
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
        return name;
    }
}
