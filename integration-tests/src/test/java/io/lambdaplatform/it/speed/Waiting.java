package io.lambdaplatform.it.speed;

import java.time.Duration;
import java.time.Instant;

/**
 * Waits for a condition, given as assertions, on the test's thread: the last failure is the one reported.
 * (The one wait helper of these tests; Awaitility is not on this branch's test classpath.)
 */
final class Waiting {

    interface Check {
        void run() throws Exception;
    }

    private Waiting() {}

    static void until(String what, Duration timeout, Check check) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            try {
                check.run();
                return;
            }
            catch (AssertionError e) {
                if (Instant.now().isAfter(deadline)) {
                    throw new AssertionError("Not within " + timeout + ": " + what + "\n" + e.getMessage(), e);
                }
            }
            Thread.sleep(500);
        }
    }
}
