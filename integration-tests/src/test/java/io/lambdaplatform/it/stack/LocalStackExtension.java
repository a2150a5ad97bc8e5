package io.lambdaplatform.it.stack;

import io.lambdaplatform.stack.StackEndpoints;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives tests {@link StackEndpoints} (or the {@link TestStack} itself) as parameters, from ONE stack started on first
 * use and shared by every test class of the run. It lives in the root {@link ExtensionContext.Store}, which closes
 * it, as an {@link AutoCloseable}, when the whole run ends.
 *
 * <p>{@code -Dlambda.it.stack=child-jvm} (the default) picks {@link ChildJvmTestStack}; {@code -Dlambda.it.stack=docker}
 * (set by the Maven profile {@code docker}) picks {@link ContainerTestStack}.
 */
public final class LocalStackExtension implements ParameterResolver {
    private static final Logger log = LoggerFactory.getLogger(LocalStackExtension.class);

    public static final String STACK_PROPERTY = "lambda.it.stack";
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(LocalStackExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        return type == StackEndpoints.class || type == TestStack.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        TestStack stack = sharedStack(extensionContext);
        return parameterContext.getParameter().getType() == TestStack.class ? stack : stack.endpoints();
    }

    private static TestStack sharedStack(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(TestStack.class, key -> startConfigured(), TestStack.class);
    }

    private static TestStack startConfigured() {
        String kind = System.getProperty(STACK_PROPERTY, "child-jvm");
        TestStack stack = switch (kind) {
            case "child-jvm" -> ChildJvmTestStack.start();
            case "docker" -> ContainerTestStack.start();
            default -> throw new ExtensionConfigurationException("Unknown -D" + STACK_PROPERTY + "=" + kind + "; known: child-jvm, docker");
        };
        log.info("Integration tests share the {}: {}", stack, stack.endpoints());
        return stack;
    }
}
