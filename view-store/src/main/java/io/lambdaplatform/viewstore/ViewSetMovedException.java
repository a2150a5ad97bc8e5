package io.lambdaplatform.viewstore;

/**
 * A compare-and-set of the view-set pointer failed: another replay or rollback moved it since the caller read it.
 * Nothing changed; readers still use the set the pointer shows.
 */
public final class ViewSetMovedException extends ViewStoreException {

    private static final long serialVersionUID = 1L;

    public ViewSetMovedException(String message) {
        super(message);
    }
}
