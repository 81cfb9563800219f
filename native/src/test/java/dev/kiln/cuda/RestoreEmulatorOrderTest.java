package dev.kiln.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** The auto-registered extension puts the emulator back in forward order between tests. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RestoreEmulatorOrderTest {
    @Test
    @Order(1)
    void aTestLeavesTheEmulatorInRandomOrder() {
        new Target("cuda-emu random", Emulator.Order.RANDOM).use();
        assertEquals(Emulator.Order.RANDOM, Emulator.order());
    }

    @Test
    @Order(2)
    void theNextTestStartsInForwardOrder() {
        assertEquals(Emulator.Order.FORWARD, Emulator.order());
    }
}
