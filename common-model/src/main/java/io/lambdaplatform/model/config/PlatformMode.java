package io.lambdaplatform.model.config;

import com.typesafe.config.Config;

import java.util.Locale;

/**
 * How the platform answers ({@code lambda.platform.mode}). Every deployable of one platform must run in the same mode.
 */
public enum PlatformMode {
    /** A batch layer recomputes views from the master dataset; the speed layer fills the gap since its cutoff. The default. */
    LAMBDA,
    /**
     * No batch layer: the speed layer's views are kept forever and are the whole answer; a logic change is applied by
     * replaying the log into a new set of views ({@code ./lambda replay}) and switching readers to it.
     */
    KAPPA;

    public static final String KEY = "lambda.platform.mode";

    public static PlatformMode from(Config config) {
        return parse(config.getString(KEY));
    }

    public static PlatformMode parse(String text) {
        for (PlatformMode mode : values()) {
            if (mode.label().equals(text)) {
                return mode;
            }
        }
        throw new IllegalArgumentException(KEY + " must be lambda or kappa: '" + text + "'");
    }

    /** {@code lambda} or {@code kappa}, as configured and as answers name it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
