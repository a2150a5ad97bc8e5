package io.lambdaplatform.it.stack;

/** Closing what a test class opened, in its {@code @AfterAll}. */
public final class Resources {

    private Resources() {}

    /**
     * Closes each resource in the order given, skipping those never opened ({@code null}). A failure to close one does
     * not leave the others open: the first failure is thrown once all are closed, the later ones suppressed in it.
     */
    public static void closeAll(AutoCloseable... resources) throws Exception {
        Exception failure = null;
        for (AutoCloseable resource : resources) {
            if (resource == null) {
                continue;
            }
            try {
                resource.close();
            }
            catch (Exception e) {
                if (failure == null) {
                    failure = e;
                }
                else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
