package io.lambdaplatform.serving;

import io.lambdaplatform.model.config.PlatformMode;
import io.lambdaplatform.viewstore.ViewSet;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Which views an answer comes from: the platform's mode, and in Kappa mode the set of stream-built views readers were
 * pointed at (empty before the speed layer first ran in Kappa mode). In Lambda mode the batch version says the rest.
 */
public record ViewsUsed(PlatformMode mode, Optional<ViewSet> set) {

    public static final ViewsUsed LAMBDA = new ViewsUsed(PlatformMode.LAMBDA, Optional.empty());

    public ViewsUsed {
        requireNonNull(mode, "mode is null");
        requireNonNull(set, "set is null");
    }
}
