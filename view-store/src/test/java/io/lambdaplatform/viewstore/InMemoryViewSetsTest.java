package io.lambdaplatform.viewstore;

class InMemoryViewSetsTest extends ViewSetsContract {

    @Override
    protected ViewSets newStore() {
        return new InMemoryViewSets(base());
    }

    @Override
    protected String base() {
        return "lambda";
    }
}
