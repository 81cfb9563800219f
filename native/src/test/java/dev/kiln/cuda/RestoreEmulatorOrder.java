package dev.kiln.cuda;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Puts cuda-emu back in forward scheduling order after every test ({@link Target#use} changes it
 * for the whole JVM). Registered for every test class of this module through ServiceLoader (the parent pom
 * turns on JUnit's extension autodetection).
 */
public final class RestoreEmulatorOrder implements AfterEachCallback {
    @Override
    public void afterEach(ExtensionContext context) {
        Emulator.setOrder(Emulator.Order.FORWARD);
    }
}
