package io.lambdaplatform.batch;

import com.typesafe.config.ConfigFactory;
import io.lambdaplatform.model.config.PlatformConfig;

import java.nio.file.Path;
import java.time.Duration;

/** A batch configuration whose master dataset is a local directory. */
final class TestConfigs {

    private TestConfigs() {}

    static BatchConfig local(Path masterDir) {
        return BatchConfig.from(ConfigFactory.parseString("lambda.batch.master-path = \"" + masterDir.toUri() + "\"")
                        .withFallback(PlatformConfig.load(null, null)).resolve())
                .withSafetyMargin(Duration.ofMinutes(2));
    }
}
