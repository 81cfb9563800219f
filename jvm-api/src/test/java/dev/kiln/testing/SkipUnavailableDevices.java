package dev.kiln.testing;

import dev.kiln.DeviceUnavailableException;
import java.lang.reflect.Constructor;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.opentest4j.TestAbortedException;

/**
 * A test that asks for a device this machine cannot give (no GPU, the emulator not built because g++ was
 * missing) is skipped with the device's reason instead of failing. Registered for every module's tests
 * through ServiceLoader (junit.jupiter.extensions.autodetection.enabled, set by the parent pom).
 */
public final class SkipUnavailableDevices
        implements TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler, InvocationInterceptor {
    /** A test class whose fields take a device. */
    @Override
    public <T> T interceptTestClassConstructor(Invocation<T> invocation, ReflectiveInvocationContext<Constructor<T>> call,
                                               ExtensionContext context) throws Throwable {
        try {
            return invocation.proceed();
        } catch (Throwable t) {
            throw skipIfUnavailable(t);
        }
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable thrown) throws Throwable {
        throw skipIfUnavailable(thrown);
    }

    @Override
    public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable thrown) throws Throwable {
        throw skipIfUnavailable(thrown);
    }

    @Override
    public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable thrown) throws Throwable {
        throw skipIfUnavailable(thrown);
    }

    /** The abort naming the device's reason when {@code thrown} comes from an unavailable device, else {@code thrown}. */
    private static Throwable skipIfUnavailable(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t instanceof DeviceUnavailableException) {
                return new TestAbortedException("device unavailable: " + t.getMessage(), thrown);
            }
        }
        return thrown;
    }
}
