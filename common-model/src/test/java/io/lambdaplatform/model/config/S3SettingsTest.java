package io.lambdaplatform.model.config;

import org.junit.jupiter.api.Test;

import java.util.List;

import static io.lambdaplatform.model.config.ConfigMappingAssertions.assertFullMapping;
import static io.lambdaplatform.model.config.ConfigMappingAssertions.assertRecordedDefaults;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class S3SettingsTest {

    @Test
    void defaults() {
        assertRecordedDefaults(S3Settings::from, SharedKeys.S3_DEFAULTS);
    }

    @Test
    void everyKeyMaps() {
        assertFullMapping(S3Settings::from, List.of("lambda.s3"), SharedKeys.S3_SET, SharedKeys.S3_MAPPED);
    }

    @Test
    void validatesNamingTheKey() {
        assertThatThrownBy(() -> SharedKeys.S3_DEFAULTS.withBucket(""))
                .hasMessage("lambda.s3.bucket must not be empty");
        assertThatThrownBy(() -> new S3Settings(null, "lake", "us-east-1", false, "AK", null))
                .hasMessage("lambda.s3.access-key and lambda.s3.secret-key go together");
        assertThatThrownBy(() -> new S3Settings("s3:80", "lake", "us-east-1", true, null, null))
                .hasMessage("lambda.s3.endpoint must start with http:// or https://: s3:80");
    }

    @Test
    void neverShowsTheSecretKey() {
        assertThat(SharedKeys.S3_MAPPED.toString()).contains("static ****").doesNotContain("SK");
    }
}
