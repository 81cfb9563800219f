package dev.kiln.nn.summary;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Generator;
import dev.kiln.nn.BatchNorm2d;
import dev.kiln.nn.Conv2d;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import dev.kiln.testing.TestDevice;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The summary runs a model whose parameters are float64 or on a device: its zeros follow the parameters. */
class ModelSummaryDeviceTest {
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.testing.TestDevice#withFloatDtypes")
    void summary_feedsZerosOfTheParametersDtypeAndDevice(TestDevice target, DType dtype) {
        Device d = target.use();
        Sequential m = new Sequential(new Conv2d(1, 2, 3, 1, 1, new Generator(0)), new BatchNorm2d(2), new ReLU());
        m.to(dtype).to(d);
        ModelSummary s = ModelSummary.of(m, 1, 1, 5, 5);
        assertArrayEquals(new int[] {1, 2, 5, 5}, s.outputShape());
        assertEquals(2 * 9 + 2 + 2 + 2, s.parameterCount());
        assertEquals(new ReceptiveField(3, 3, 1, 1, 0, 0), s.receptiveField());
    }
}
