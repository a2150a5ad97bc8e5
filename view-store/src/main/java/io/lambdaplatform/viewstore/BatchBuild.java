package io.lambdaplatform.viewstore;

import io.lambdaplatform.model.RuleSettings;
import io.lambdaplatform.model.ViewDefinition;

import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * How a batch version was computed, recorded before it is published: what the next run needs to decide whether it can
 * add the new records to this version instead of recomputing everything.
 *
 * @param version      the version it describes
 * @param kind         a full recompute or an incremental run on top of {@code baseVersion}
 * @param baseVersion  the version an incremental run added to; {@link BatchViews#NO_VERSION} for a full recompute
 * @param rulesVersion the {@code EventRules.VERSION} its records were judged with
 * @param views        the view definition it was aggregated with (measures and granularities, as text)
 * @param basis        which ranges of the master dataset held records below its cutoff (a digest of their ids)
 * @param lastFullAt   when the newest full recompute this version builds on started (its own start for a full one)
 */
public record BatchBuild(long version, Kind kind, long baseVersion, int rulesVersion, String views, String basis, Instant lastFullAt) {

    public enum Kind { FULL, INCREMENTAL }

    public BatchBuild {
        if (version < 1) {
            throw new IllegalArgumentException("version must be positive: " + version);
        }
        requireNonNull(kind, "kind is null");
        requireNonNull(views, "views is null");
        requireNonNull(basis, "basis is null");
        requireNonNull(lastFullAt, "lastFullAt is null");
        if ((kind == Kind.FULL) != (baseVersion == BatchViews.NO_VERSION)) {
            throw new IllegalArgumentException("A full version has no base version and an incremental one has one: " + kind + ", "
                    + baseVersion);
        }
    }

    /**
     * The logic that built the version, as a short name: the rules that judged its records and a digest of the view
     * definition it was aggregated with, {@code r<rules version>-<first 8 hex digits of the definition's SHA-256>}. Two
     * versions of the same logic version judged and aggregated every record the same way; a change of either gives
     * another name.
     */
    public String logicVersion() {
        return ViewDefinition.logicVersion(rulesVersion, views, RuleSettings.NONE);
    }

    /** {@code full} or {@code incremental from version N}. */
    public String describe() {
        return kind == Kind.FULL ? "full" : "incremental from version " + baseVersion;
    }
}
