package io.lambdaplatform.serving;

import io.lambdaplatform.viewstore.BatchVersion;
import io.lambdaplatform.viewstore.IngestHole;
import io.lambdaplatform.viewstore.LegacyRowsCopy;
import io.lambdaplatform.viewstore.SpeedProgress;
import io.lambdaplatform.viewstore.SpeedViews;

import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What every answer reads besides its rows: the batch pointer, the speed layer's progress and holes, the holes the
 * batch layer accepted, and the upgrade marker. {@link ViewStateCache} reads it in this order, each part after the one
 * before has been read, because the layers write it the other way round: a version's holes before the pointer that
 * publishes it, a speed task's holes before the progress that passes them. So a hole is never missing from a state whose
 * pointer or watermark is past it.
 *
 * @param views      the mode, and in Kappa mode the set of views the pointer named when the state was read
 * @param speed      the speed views of that set (the platform's keyspace in Lambda mode): progress, holes and rows
 * @param pointer    the published batch version, empty before the first batch run and in Kappa mode
 * @param progress   what every speed partition reported
 * @param speedHoles records deleted from the log before the speed layer read them
 * @param batchHoles records deleted from the log before the batch layer archived them
 * @param legacy     the copy of the previous release's speed rows, empty until the speed layer has made it
 */
record ViewState(ViewsUsed views, SpeedViews speed, Optional<BatchVersion> pointer, List<SpeedProgress> progress, List<IngestHole> speedHoles, List<IngestHole> batchHoles,
        Optional<LegacyRowsCopy> legacy) {

    ViewState {
        requireNonNull(views, "views is null");
        requireNonNull(speed, "speed is null");
        requireNonNull(pointer, "pointer is null");
        progress = List.copyOf(progress);
        speedHoles = List.copyOf(speedHoles);
        batchHoles = List.copyOf(batchHoles);
        requireNonNull(legacy, "legacy is null");
    }

    /**
     * Whether {@code other} answers from the same views: the same batch version and, in Kappa mode, the same set. Two
     * such states differ only in how far the speed layer had got.
     */
    boolean sameViewsAs(ViewState other) {
        return pointer.equals(other.pointer) && views.equals(other.views);
    }
}
