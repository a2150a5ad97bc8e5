package io.lambdaplatform.viewstore;

class InMemoryBatchViewsTest extends BatchViewsContract {

    @Override
    protected BatchViews newStore() {
        return new InMemoryBatchViews();
    }
}
