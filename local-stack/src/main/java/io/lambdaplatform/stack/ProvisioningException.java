package io.lambdaplatform.stack;

/** Creating the platform's topics, schema or bucket failed; the message says which and on which server. */
public class ProvisioningException extends RuntimeException {
    public ProvisioningException(String message, Throwable cause) {
        super(message, cause);
    }
}
