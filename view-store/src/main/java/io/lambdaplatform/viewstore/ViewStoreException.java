package io.lambdaplatform.viewstore;

/** A read or write of views failed. */
public class ViewStoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ViewStoreException(String message) {
        super(message);
    }

    public ViewStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
