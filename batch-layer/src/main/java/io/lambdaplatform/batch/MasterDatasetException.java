package io.lambdaplatform.batch;

/** The master dataset cannot be read or written as it should: a missing column, an unreadable manifest, a failed commit. */
public class MasterDatasetException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public MasterDatasetException(String message) {
        super(message);
    }

    public MasterDatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
