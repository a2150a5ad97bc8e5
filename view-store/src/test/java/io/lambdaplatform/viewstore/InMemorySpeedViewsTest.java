package io.lambdaplatform.viewstore;

class InMemorySpeedViewsTest extends SpeedViewsContract {

    @Override
    protected SpeedViews newStore() {
        return new InMemorySpeedViews();
    }
}
