package io.lambdaplatform.batch;

import io.lambdaplatform.batch.internal.ViewAggregation;
import io.lambdaplatform.model.EventRules;
import io.lambdaplatform.viewstore.BatchBuild;
import io.lambdaplatform.viewstore.BatchVersion;
import io.lambdaplatform.viewstore.BatchViews;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Whether a run adds the new records to the live version (incremental) or recomputes the views from the whole master
 * dataset (full), and why.
 *
 * <p>An incremental run from version V (cutoff C0) to cutoff C1 is exact when V holds exactly the views of the valid
 * records with ingest time below C0, as a full recompute would have computed them, and when every record below C0 is
 * still exactly what V was computed from. Then a full recompute at C1 counts, per event identity, the first valid copy
 * by (ingest time, partition, offset): if the identity has a valid copy below C0, that copy is first (every record
 * below C0 orders before every record at or above it) and V counted it; otherwise the first copy is the first among the
 * new records. So V's rows plus the aggregate of the new first copies of identities V never saw are the full
 * recompute's rows. The plan is full whenever one of those conditions cannot be shown:
 *
 * <ul>
 *   <li>{@code lambda.batch.mode = full} or {@code --full};</li>
 *   <li>no version is published, or the live version records no {@link BatchBuild} (published before versions did);</li>
 *   <li>the live version is not the newest published one (a rollback): the operator chose an older version because a
 *       newer one was wrong, so the next version is computed from the master dataset alone rather than from either;</li>
 *   <li>the live version was judged with other rules or aggregated with another view definition;</li>
 *   <li>the newest full recompute under the live version started {@code lambda.batch.full-every} ago or longer;</li>
 *   <li>the ranges that hold records below C0 are not the ones V was computed from ({@link #basis}: an import with an
 *       ingest time below C0, a range removed);</li>
 *   <li>a range archived since holds records below C0 (a partition whose running maximum of LogAppendTime was still
 *       below C0 when records were appended after V's run listed the log end).</li>
 * </ul>
 *
 * @param base       the version an incremental run adds to, with how it was built; empty for a full recompute
 * @param fullReason why the run recomputes in full; empty for an incremental run
 */
public record RecomputePlan(Optional<Base> base, Optional<String> fullReason) {

    /** The live version an incremental run adds to, and how that version was computed. */
    public record Base(BatchVersion version, BatchBuild build) {
        public Base {
            requireNonNull(version, "version is null");
            requireNonNull(build, "build is null");
        }
    }

    public RecomputePlan {
        requireNonNull(base, "base is null");
        requireNonNull(fullReason, "fullReason is null");
        if (base.isPresent() == fullReason.isPresent()) {
            throw new IllegalArgumentException("A plan is either incremental from a base or full for a reason");
        }
    }

    public static RecomputePlan full(String reason) {
        return new RecomputePlan(Optional.empty(), Optional.of(reason));
    }

    public static RecomputePlan incremental(BatchVersion version, BatchBuild build) {
        return new RecomputePlan(Optional.of(new Base(version, build)), Optional.empty());
    }

    public boolean isIncremental() {
        return base.isPresent();
    }

    /**
     * Chooses the plan for a run with {@code cutoff} over the master dataset's {@code manifest}, started at {@code now}.
     * Reads the store's versions and, only when every other condition holds, the ingest times of the ranges archived
     * since the live version's cutoff.
     */
    public static RecomputePlan choose(BatchConfig config, BatchViews store, MasterDataset master, List<ArchivedRange> manifest,
            Instant cutoff, Instant now) {
        if (config.recompute().full()) {
            return full("a full recompute was asked for (--full, or " + BatchConfig.SECTION + ".mode = full)");
        }
        Optional<BatchVersion> current = store.current();
        if (current.isEmpty()) {
            return full("no version is published yet");
        }
        BatchVersion live = current.get();
        if (!live.cutoff().isBefore(cutoff)) {
            return full("the live version " + live.version() + " has cutoff " + live.cutoff() + ", not below " + cutoff);
        }
        long newest = store.versions().stream().filter(BatchVersion::isPublished).mapToLong(BatchVersion::version).max()
                .orElse(live.version());
        if (newest != live.version()) {
            return full("the live version " + live.version() + " is older than the newest published version " + newest
                    + " (a rollback): the next version is computed from the master dataset, not on top of either");
        }
        Optional<BatchBuild> recorded = store.build(live.version());
        if (recorded.isEmpty()) {
            return full("version " + live.version() + " does not record how it was computed (published by an earlier release)");
        }
        BatchBuild build = recorded.get();
        if (build.rulesVersion() != EventRules.VERSION) {
            return full("version " + live.version() + " was judged with rules version " + build.rulesVersion() + ", the rules are version "
                    + EventRules.VERSION);
        }
        if (!build.views().equals(ViewAggregation.definition())) {
            return full("version " + live.version() + " was aggregated as \"" + build.views() + "\", the views are now \""
                    + ViewAggregation.definition() + "\"");
        }
        if (!config.recompute().fullEvery().isZero() && !now.isBefore(build.lastFullAt().plus(config.recompute().fullEvery()))) {
            return full("scheduled: the newest full recompute under version " + live.version() + " started at " + build.lastFullAt()
                    + ", " + BatchConfig.SECTION + ".full-every (" + config.recompute().fullEvery() + ") ago or more");
        }
        String basis = basis(manifest, live.cutoff());
        if (!basis.equals(build.basis())) {
            return full("the ranges holding records below version " + live.version() + "'s cutoff " + live.cutoff()
                    + " changed since it was computed (" + build.basis() + ", now " + basis + "): an import or back-fill below it");
        }
        long late = master.countBelow(addedSince(manifest, live.cutoff()), live.cutoff());
        if (late > 0) {
            return full(late + " record(s) archived after version " + live.version() + " have an ingest time below its cutoff "
                    + live.cutoff());
        }
        return incremental(live, build);
    }

    /**
     * Which ranges hold records below {@code cutoff}, as a version records it: their number and a digest of their sorted
     * ids. A range whose ingest times start at or after the cutoff holds none ({@link ArchivedRange#from()}), except
     * records archived late, which {@link #choose} counts; empty ranges hold none.
     */
    public static String basis(List<ArchivedRange> manifest, Instant cutoff) {
        List<String> ids = below(manifest, cutoff).stream().map(ArchivedRange::id).sorted().toList();
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            ids.forEach(id -> sha.update((id + "\n").getBytes(StandardCharsets.UTF_8)));
            return ids.size() + " ranges, sha256 " + HexFormat.of().formatHex(sha.digest()).substring(0, 32);
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** The non-empty ranges whose ingest times start below the cutoff: what a version at that cutoff was computed from. */
    public static List<ArchivedRange> below(List<ArchivedRange> manifest, Instant cutoff) {
        return manifest.stream().filter(range -> range.records() > 0 && range.from().isBefore(cutoff)).toList();
    }

    /** The non-empty ranges whose ingest times start at or after the cutoff: archived after a version with that cutoff. */
    public static List<ArchivedRange> addedSince(List<ArchivedRange> manifest, Instant cutoff) {
        return manifest.stream().filter(range -> range.records() > 0 && !range.from().isBefore(cutoff)).toList();
    }

    /**
     * The ranges that may hold records with ingest time at or after {@code cutoff}: a Kafka range's records are below its
     * {@code to}, an import's at its ingest time ({@code from == to}). So the Kafka range that ends at the cutoff (the one
     * the run that chose that cutoff archived) is not one of them, and an incremental run does not read it.
     */
    public static List<ArchivedRange> reaching(List<ArchivedRange> manifest, Instant cutoff) {
        return manifest.stream()
                .filter(range -> range.records() > 0)
                .filter(range -> range.source() == ArchivedRange.Source.KAFKA ? range.to().isAfter(cutoff) : !range.to().isBefore(cutoff))
                .toList();
    }
}
