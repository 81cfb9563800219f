package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Multiply-adds and output bytes of worked cases, counted as the ops run. */
class FlopCounterTest {
    @Test
    void matmulCountsMNKAndItsOutputBytes() {
        Tensor a = Tensor.zeros(2, 3);
        Tensor b = Tensor.zeros(3, 4);
        try (FlopCounter c = FlopCounter.open()) {
            a.matmul(b).reshape(8); // the reshape is a view: no bytes
            assertEquals(2 * 4 * 3, c.macs());
            assertEquals(48, c.flops());
            assertEquals(8 * 4, c.outputBytes());
            assertEquals(Map.of("matmul", 24L), c.macsByOp());
        }
    }

    @Test
    void convAndItsBackwardPrimitivesCountTheSameMultiplyAdds() {
        Tensor x = Tensor.zeros(new int[] {1, 2, 5, 5}, DType.FLOAT64, Device.CPU);
        Tensor w = Tensor.zeros(new int[] {3, 2, 3, 3}, DType.FLOAT64, Device.CPU);
        Conv2dParams p = Conv2dParams.of(1, 0, 1, 1);
        long forward = 3 * 3 * 3 * (2 * 3 * 3); // y (1, 3, 3, 3), each output 2 * 3 * 3 multiply-adds
        try (FlopCounter c = FlopCounter.open()) {
            Tensor y = Functional.conv2d(x, w, null, p);
            assertEquals(forward, c.macs());
            assertEquals(27 * 8, c.outputBytes());
            Functional.conv2dBackwardInput(y, w, x.shape(), p);
            Functional.conv2dBackwardWeight(y, x, w.shape(), p);
            assertEquals(3 * forward, c.macs());
        }
    }

    @Test
    void attentionCountsBothProducts() {
        Tensor q = Tensor.zeros(1, 4, 8);
        Tensor k = Tensor.zeros(1, 6, 8);
        Tensor v = Tensor.zeros(1, 6, 5);
        try (FlopCounter c = FlopCounter.open()) {
            Functional.attentionForward(q, k, v, AttentionParams.of(false));
            assertEquals(4 * 6 * (8 + 5), c.macs());
        }
    }

    @Test
    void countersNestAndElementwiseOpsCountNoMultiplyAdds() {
        Tensor a = Tensor.zeros(2, 2);
        try (FlopCounter outer = FlopCounter.open()) {
            a.add(a);
            try (FlopCounter inner = FlopCounter.open()) {
                a.matmul(a);
                assertEquals(8, inner.macs());
                assertEquals(16, inner.outputBytes());
            }
            a.matmul(a);
            assertEquals(16, outer.macs());
            assertEquals(3 * 16, outer.outputBytes());
        }
        FlopCounter done = FlopCounter.open();
        done.close();
        a.matmul(a);
        assertEquals(0, done.macs(), "a closed counter counts nothing more");
    }

    @Test
    void closingOutOfOrderIsRefused() {
        FlopCounter outer = FlopCounter.open();
        FlopCounter inner = FlopCounter.open();
        var e = assertThrows(IllegalStateException.class, outer::close);
        assertEquals(true, e.getMessage().contains("innermost first"), e.getMessage());
        inner.close();
        outer.close();
    }
}
