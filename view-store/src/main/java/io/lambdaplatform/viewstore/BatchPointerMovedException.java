package io.lambdaplatform.viewstore;

/**
 * A compare-and-set of the batch pointer failed: another writer moved it since the caller read it. Nothing
 * changed; the caller must not assume its version is live.
 */
public final class BatchPointerMovedException extends ViewStoreException {

    private static final long serialVersionUID = 1L;

    public BatchPointerMovedException(String message) {
        super(message);
    }
}
