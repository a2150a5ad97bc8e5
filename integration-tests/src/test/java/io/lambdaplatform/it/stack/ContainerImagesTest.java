package io.lambdaplatform.it.stack;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** docker-compose.yml, the Dockerfile and the Testcontainers stack run the versions the Maven build pins. */
class ContainerImagesTest {
    private static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern IMAGE = Pattern.compile("^\\s+image:\\s*(\\S+)\\s*$", Pattern.MULTILINE);

    @Test
    void theBuildFillsInThePinnedVersions() {
        ContainerImages images = ContainerImages.ofBuild();

        assertThat(images).isEqualTo(new ContainerImages("apache/kafka:4.1.1", "cassandra:5.0.6", "andrewgaul/s3proxy:4.1.0"));
    }

    @Test
    void theComposeFileRunsTheSameServerImages() throws IOException {
        ContainerImages images = ContainerImages.ofBuild();

        assertThat(imagesIn(REPOSITORY.resolve("docker-compose.yml")))
                .contains(images.kafka(), images.cassandra(), images.s3proxy())
                .allSatisfy(image -> assertThat(image).doesNotEndWith(":latest").contains(":"));
    }

    @Test
    void theComposeFileRunsThePlatformFromOneImage() throws IOException {
        List<String> platformImages = imagesIn(REPOSITORY.resolve("docker-compose.yml")).stream()
                .filter(image -> image.contains("lambda-platform"))
                .distinct()
                .toList();

        assertThat(platformImages).containsExactly("${LAMBDA_IMAGE:-lambda-platform:0.1.0-SNAPSHOT}");
    }

    private static List<String> imagesIn(Path composeFile) throws IOException {
        Matcher matcher = IMAGE.matcher(Files.readString(composeFile));
        return matcher.results().map(result -> result.group(1)).toList();
    }
}
