package io.lambdaplatform.stack.internal;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The classpath of one server, as resolved by the build of {@code local-stack/servers/<server>} into the resource
 * {@code io/lambdaplatform/stack/servers/<server>.classpath}: absolute paths of jars in the local Maven repository.
 */
public final class ServerClasspath {
    private ServerClasspath() {}

    public static List<Path> of(String server) {
        String resource = "io/lambdaplatform/stack/servers/" + server + ".classpath";
        try (InputStream in = ServerClasspath.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Resource " + resource + " is not on the classpath; is local-stack-" + server + "-classpath a dependency?");
            }
            List<Path> jars = Arrays.stream(new String(in.readAllBytes(), StandardCharsets.UTF_8).trim().split(File.pathSeparator))
                    .filter(entry -> !entry.isBlank())
                    .map(Path::of)
                    .toList();
            List<Path> missing = jars.stream().filter(jar -> !Files.isRegularFile(jar)).toList();
            if (jars.isEmpty() || !missing.isEmpty()) {
                throw new IllegalStateException("The " + server + " classpath names jars that are not in the local Maven repository " + missing
                        + "; rebuild with: mvn -B install -DskipTests -pl local-stack -am");
            }
            return jars;
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + resource, e);
        }
    }
}
