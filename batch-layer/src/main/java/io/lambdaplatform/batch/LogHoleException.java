package io.lambdaplatform.batch;

/**
 * Records of the events topic were deleted from the log (retention, {@code deleteRecords}) before the batch layer
 * archived them. The run stopped before writing anything; the operator may accept the loss with
 * {@code --accept-log-holes}.
 */
public final class LogHoleException extends MasterDatasetException {

    private static final long serialVersionUID = 1L;

    public LogHoleException(String message) {
        super(message);
    }
}
