package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Generator;
import dev.kiln.MemoryScope;
import dev.kiln.Tensor;
import dev.kiln.nn.loss.MSELoss;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Optimizer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** MemoryScope behaves the same on every device, and model and optimizer state outlive the caller's scopes. */
class MemoryScopeTrainingTest {
    @ParameterizedTest
    @ValueSource(strings = {"cpu", "cuda-emu:0"})
    void aScopeFreesWhatItMadeButKeepsWhatItWasAskedTo(String device) {
        Device d = Device.parse(device);
        Tensor outside = Tensor.ones(new int[] {3}, DType.FLOAT32, d);
        Tensor inside;
        Tensor kept;
        try (MemoryScope scope = MemoryScope.open()) {
            inside = outside.mul(2);
            kept = scope.keep(inside.add(1));
            Tensor view = outside.reshape(3); // a view of outside's storage: not the scope's to free
            assertEquals(3, view.numel());
        }
        var e = assertThrows(IllegalStateException.class, inside::toFloatArray);
        assertTrue(e.getMessage().contains("closed") && e.getMessage().contains("float32"), e.getMessage());
        assertEquals(3f, kept.toFloatArray()[0]);
        assertEquals(1f, outside.toFloatArray()[0]);
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "cuda-emu:0"})
    void closeMakesATensorUnusableOnEveryDevice(String device) {
        Tensor t = Tensor.ones(new int[] {2}, DType.FLOAT64, Device.parse(device));
        t.close();
        var e = assertThrows(IllegalStateException.class, () -> t.add(1));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    /** Adam's state is made inside the first step's scope; the second step must still find it. */
    @ParameterizedTest
    @ValueSource(strings = {"cpu", "cuda-emu:0"})
    void trainingStepsInsideScopesKeepModelAndOptimizerState(String device) {
        Device d = Device.parse(device);
        Generator g = new Generator(3);
        Sequential model;
        Optimizer opt;
        try (MemoryScope building = MemoryScope.open()) { // built inside a scope, still alive after it
            model = new Sequential(new Linear(4, 8, g), new BatchNorm1d(8), new ReLU(), new Linear(8, 1, g)).to(d);
            opt = Adam.adam(model.parameters(), 1e-2);
        }
        Tensor x = Tensor.randn(g, 16, 4).to(d);
        Tensor y = Tensor.randn(g, 16, 1).to(d);
        double first = 0;
        double last = 0;
        for (int step = 0; step < 5; step++) {
            try (MemoryScope scope = MemoryScope.open()) {
                opt.zeroGrad();
                Tensor loss = new MSELoss().forward(model.forward(x), y);
                loss.backward();
                opt.step();
                last = loss.item();
                first = step == 0 ? last : first;
            }
        }
        assertTrue(last < first, "loss " + first + " -> " + last);
        assertEquals(8, model.namedBuffers().get("1.running_mean").numel());
        model.namedBuffers().values().forEach(b -> b.to(Device.CPU)); // buffers usable
    }
}
