package io.lambdaplatform.stack.internal;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;

/**
 * Runs several {@code keytool} commands in one JVM: each line of stdin is one command, its arguments separated by
 * NUL characters. Starting a JVM per command costs seconds each on a loaded machine; keytool's own work (EC keys,
 * signatures) takes milliseconds. Needs {@code --add-exports java.base/sun.security.tools.keytool=ALL-UNNAMED}; keytool
 * exits the JVM with status 1 when a command fails.
 */
public final class KeytoolBatch {
    private KeytoolBatch() {}

    public static void main(String[] args) throws Exception {
        Method keytool = Class.forName("sun.security.tools.keytool.Main").getMethod("main", String[].class);
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = commands.readLine()) != null) {
            if (!line.isEmpty()) {
                keytool.invoke(null, (Object) line.split("\u0000"));
            }
        }
    }
}
