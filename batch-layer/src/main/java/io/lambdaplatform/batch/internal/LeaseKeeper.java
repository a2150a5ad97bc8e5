package io.lambdaplatform.batch.internal;

import io.lambdaplatform.batch.BatchLeaseLostException;
import io.lambdaplatform.viewstore.BatchLease;
import io.lambdaplatform.viewstore.BatchViews;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * Holds the batch lease for one run, import or rollback: takes it, renews it every third of its time-to-live on a
 * daemon thread, and releases it on {@link #close}. When a renewal finds it lost (or renewals fail for a whole
 * time-to-live, after which another run may have it), it calls {@code onLost} once and {@link #requireHeld} fails
 * from then on.
 */
public final class LeaseKeeper implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LeaseKeeper.class);

    private final BatchViews views;
    private final BatchLease lease;
    private final Duration ttl;
    private final Clock clock;
    private final Runnable onLost;
    private final ScheduledExecutorService renewals;
    private volatile Instant renewedAt;
    private volatile String lost;

    private LeaseKeeper(BatchViews views, BatchLease lease, Duration ttl, Clock clock, Runnable onLost) {
        this.views = views;
        this.lease = lease;
        this.ttl = ttl;
        this.clock = clock;
        this.onLost = onLost;
        this.renewedAt = lease.since();
        this.renewals = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "batch-lease-renewal");
            thread.setDaemon(true);
            return thread;
        });
        long period = Math.max(1, ttl.toMillis() / 3);
        renewals.scheduleWithFixedDelay(this::renew, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Takes the lease as {@link #holderName()}.
     *
     * @throws io.lambdaplatform.viewstore.BatchLeaseHeldException naming the holder when another run has it
     */
    public static LeaseKeeper take(BatchViews views, Duration ttl, Clock clock, Runnable onLost) {
        requireNonNull(views, "views is null");
        requireNonNull(ttl, "ttl is null");
        requireNonNull(clock, "clock is null");
        requireNonNull(onLost, "onLost is null");
        BatchLease lease = views.takeLease(holderName(), clock.instant(), ttl);
        LOG.info("Took the batch lease as {} for {}", lease.holder(), ttl);
        return new LeaseKeeper(views, lease, ttl, clock, onLost);
    }

    /** Host, process id and a random id: two runs never share it, and an operator can find the process. */
    public static String holderName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        }
        catch (UnknownHostException e) {
            host = "unknown-host";
        }
        return host + "/pid " + ProcessHandle.current().pid() + "/" + UUID.randomUUID().toString().substring(0, 8);
    }

    public BatchLease lease() {
        return lease;
    }

    /**
     * @throws BatchLeaseLostException when the lease was lost, or not renewed for a whole time-to-live (another run
     *                                 may have it by now): the caller must not write or publish
     */
    public void requireHeld() {
        Duration sinceRenewal = Duration.between(renewedAt, clock.instant());
        if (lost == null && sinceRenewal.compareTo(ttl) >= 0) {
            lose("not renewed for " + sinceRenewal);
        }
        String reason = lost;
        if (reason != null) {
            throw new BatchLeaseLostException("Lost the batch lease of " + lease.holder() + ": " + reason + "; nothing is published");
        }
    }

    private void renew() {
        if (lost != null) {
            return;
        }
        Instant now = clock.instant();
        try {
            if (views.renewLease(lease, now, ttl)) {
                renewedAt = now;
                return;
            }
            lose("it expired or another run took it");
        }
        catch (RuntimeException e) {
            if (Duration.between(renewedAt, now).compareTo(ttl) >= 0) {
                lose("renewals failed for " + Duration.between(renewedAt, now) + " (" + e.getMessage() + ")");
            }
            else {
                LOG.warn("Could not renew the batch lease of {} (will retry): {}", lease.holder(), e.getMessage());
            }
        }
    }

    private synchronized void lose(String reason) {
        if (lost != null) {
            return;
        }
        lost = reason;
        LOG.error("Lost the batch lease of {}: {}; stopping the run", lease.holder(), reason);
        try {
            onLost.run();
        }
        catch (RuntimeException e) {
            LOG.error("Could not stop the run after losing the batch lease", e);
        }
    }

    @Override
    public void close() {
        renewals.shutdownNow();
        try {
            renewals.awaitTermination(10, TimeUnit.SECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (lost == null) {
            try {
                views.releaseLease(lease);
            }
            catch (RuntimeException e) {
                LOG.warn("Could not release the batch lease of {}; it expires within {}: {}", lease.holder(), ttl, e.getMessage());
            }
        }
    }
}
