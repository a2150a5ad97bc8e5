package io.lambdaplatform.viewstore;

/** The store did not answer (no node reachable, timeout): worth retrying later, unlike a bad request. */
public class ViewStoreUnavailableException extends ViewStoreException {

    private static final long serialVersionUID = 1L;

    public ViewStoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
