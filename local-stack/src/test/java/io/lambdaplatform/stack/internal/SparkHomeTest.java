package io.lambdaplatform.stack.internal;

import io.lambdaplatform.stack.StackStartException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SparkHomeTest {
    @TempDir
    Path dir;

    @Test
    void jarsLinkTheProvidedAndTheRuntimeClasspathAndTheDaemonsGetTheBuildsJvmOptions() throws IOException {
        Path core = jar("spark-core_2.13-4.1.1.jar");
        Path kafkaSource = jar("spark-sql-kafka-0-10_2.13-4.1.1.jar");
        Path netty = jar("netty-transport-4.2.7.Final.jar");
        Path target = Files.createDirectories(dir.resolve("target"));
        Files.writeString(target.resolve("launcher-provided.classpath"), core + ":" + kafkaSource + "\n");
        Files.writeString(target.resolve("launcher.classpath"), netty.toString());
        Files.writeString(target.resolve("launcher.jvm-options"), "--add-opens=java.base/java.lang=ALL-UNNAMED -Dio.netty.tryReflectionSetAccessible=true\n");
        Path home = dir.resolve("stack/spark/home");

        SparkHome spark = SparkHome.of(home, target.resolve("launcher-provided.classpath"));
        spark.generate();
        spark.generate();

        assertThat(spark.jars()).containsExactly(core, kafkaSource, netty);
        try (var links = Files.list(home.resolve("jars"))) {
            assertThat(links.map(link -> link.getFileName().toString()).sorted().toList())
                    .containsExactly("netty-transport-4.2.7.Final.jar", "spark-core_2.13-4.1.1.jar", "spark-sql-kafka-0-10_2.13-4.1.1.jar");
        }
        assertThat(Files.readSymbolicLink(home.resolve("jars/spark-core_2.13-4.1.1.jar"))).isEqualTo(core);
        assertThat(spark.moduleOptions()).containsExactly("--add-opens=java.base/java.lang=ALL-UNNAMED", "-Dio.netty.tryReflectionSetAccessible=true");
        assertThat(spark.environment())
                .containsEntry("SPARK_HOME", home.toString())
                .containsEntry("SPARK_SCALA_VERSION", "2.13")
                .containsEntry("SPARK_LOCAL_IP", "127.0.0.1")
                .containsEntry("SPARK_CONF_DIR", home.resolve("conf").toString());
        assertThat(home.resolve("conf/log4j2.properties")).content().contains("appender.console.target = SYSTEM_OUT");
    }

    @Test
    void saysWhatToBuildWhenTheClasspathFileIsMissingAndRefusesOneWithoutSparkCore() throws IOException {
        assertThatThrownBy(() -> SparkHome.of(dir.resolve("home"), dir.resolve("launcher-provided.classpath")))
                .isInstanceOf(StackStartException.class)
                .hasMessageContaining("build the batch layer first: ./mvnw -B -DskipTests package -pl batch-layer -am");

        Path onlyNetty = dir.resolve("netty.classpath");
        Files.writeString(onlyNetty, jar("netty-transport-4.2.7.Final.jar").toString());
        assertThatThrownBy(() -> SparkHome.of(dir.resolve("home"), onlyNetty))
                .hasMessage("The Spark classpath " + onlyNetty + " holds no spark-core_2.13 jar");

        Path missing = dir.resolve("missing.classpath");
        Files.writeString(missing, dir.resolve("gone.jar").toString());
        assertThatThrownBy(() -> SparkHome.of(dir.resolve("home"), missing))
                .hasMessage("The Spark classpath " + missing + " names jars that do not exist: " + List.of(dir.resolve("gone.jar")));
    }

    private Path jar(String name) throws IOException {
        Path repository = Files.createDirectories(dir.resolve("m2").resolve(name.replace(".jar", "")));
        return Files.writeString(repository.resolve(name), "not really a jar");
    }
}
