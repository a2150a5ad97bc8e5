package io.lambdaplatform.serving;

/**
 * A question across products would read more products than one request may: an exact answer is not given
 * rather than a partial one. Answered 422.
 */
public final class TooManyProductsException extends RuntimeException {

    private final int products;
    private final int maxProducts;

    public TooManyProductsException(int products, int maxProducts) {
        super(products + " products have data, more than the " + maxProducts + " one request across products may read");
        this.products = products;
        this.maxProducts = maxProducts;
    }

    public int products() {
        return products;
    }

    public int maxProducts() {
        return maxProducts;
    }
}
