package io.lambdaplatform.stack.internal;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServerClasspathTest {
    @Test
    void serverClasspathsUseThePlatformsVersions() throws IOException {
        Properties versions = new Properties();
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("platform-versions.properties")) {
            versions.load(in);
        }

        assertThat(fileNames(ServerClasspath.of("kafka"))).contains("kafka_2.13-" + versions.getProperty("kafka.version") + ".jar");
        assertThat(fileNames(ServerClasspath.of("cassandra"))).contains("cassandra-all-" + versions.getProperty("cassandra.version") + ".jar");
        assertThat(fileNames(ServerClasspath.of("s3proxy"))).contains("s3proxy-" + versions.getProperty("s3proxy.version") + ".jar");
    }

    @Test
    void eachServerKeepsItsOwnNettyAndJackson() {
        // The platform manages Netty 4.2 and Jackson 2.20; the servers must run on the versions they were built with.
        assertThat(fileNames(ServerClasspath.of("cassandra")))
                .anyMatch(name -> name.startsWith("netty-all-4.1."))
                .noneMatch(name -> name.startsWith("netty-common-4.2."));
        assertThat(fileNames(ServerClasspath.of("s3proxy")))
                .contains("jackson-annotations-2.22.jar")
                .anyMatch(name -> name.startsWith("jackson-databind-3."))
                .noneMatch(name -> name.startsWith("jackson-databind-2.20.") || name.startsWith("netty-common-4.2."));
        assertThat(fileNames(ServerClasspath.of("kafka")))
                .anyMatch(name -> name.startsWith("log4j-slf4j-impl-"))
                .noneMatch(name -> name.startsWith("cassandra-all-") || name.startsWith("s3proxy-"));
    }

    @Test
    void unknownServerIsReported() {
        assertThatThrownBy(() -> ServerClasspath.of("zookeeper"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("io/lambdaplatform/stack/servers/zookeeper.classpath is not on the classpath");
    }

    private static List<String> fileNames(List<Path> classpath) {
        return classpath.stream().map(path -> path.getFileName().toString()).toList();
    }
}
