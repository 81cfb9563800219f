package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Generator;
import org.junit.jupiter.api.Test;

/** module.to(...) hands back the module as its own type, so building and moving is one expression. */
class ModuleToTypeTest {
    @Test
    void toReturnsTheSameModuleAsItsOwnType() {
        Linear built = new Linear(4, 2, true, new Generator(0));
        Linear cast = built.to(DType.FLOAT64);
        assertSame(built, cast);
        assertEquals(DType.FLOAT64, cast.weight().dtype());
        Linear moved = new Linear(4, 2, true, new Generator(0)).to(DType.FLOAT64).to(Device.CPU);
        assertEquals(DType.FLOAT64, moved.weight().dtype());
    }
}
