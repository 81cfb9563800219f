package dev.kiln.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.Tensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Worked cases of the paper's projection, the gradients split over two "parameters" to check the whole-list dots. */
class PCGradTest {
    /** (x, y) as a 1-element parameter and a 1-element parameter. */
    private static List<Tensor> g(double x, double y) {
        return List.of(Tensor.fromArray(new double[] {x}, 1), Tensor.fromArray(new double[] {y}, 1));
    }

    private static double[] flat(List<Tensor> g) {
        return new double[] {g.get(0).item(), g.get(1).item()};
    }

    @Test
    void conflictingGradientsAreProjectedOntoEachOthersNormalPlane() {
        // g1 = (1, 0), g2 = (-1, 1): g1 . g2 = -1 < 0
        // g1' = g1 - (-1 / 2) g2 = (0.5, 0.5); g2' = g2 - (-1 / 1) g1 = (0, 1); sum (0.5, 1.5)
        List<Tensor> sum = PCGrad.combine(List.of(g(1, 0), g(-1, 1)), new Random(0));
        assertArrayEquals(new double[] {0.5, 1.5}, flat(sum), 1e-15);
        assertEquals(-1 / Math.sqrt(2), PCGrad.cosine(g(1, 0), g(-1, 1)), 1e-15);
    }

    @Test
    void agreeingGradientsAreSummedAsTheyAre() {
        assertArrayEquals(new double[] {2, 1}, flat(PCGrad.combine(List.of(g(1, 0), g(1, 1)), new Random(0))), 1e-15);
        assertEquals(0, PCGrad.cosine(g(0, 0), g(1, 1)));   // a zero gradient conflicts with nothing
    }

    /**
     * Three tasks, where the order matters: each projection uses the task's running gradient against the others'
     * originals. A Random whose draws are all 0 reverses each two-element order (Collections.shuffle swaps 1 and 0).
     * g1 = (1, 0), g2 = (0, 1), g3 = (-1, -1):
     * g1 against g3 then g2: (0.5, -0.5), then (0.5, 0); g2 against g3 then g1: (-0.5, 0.5), then (0, 0.5);
     * g3 against g2 then g1: (-1, 0), then (0, 0). Sum (0.5, 0.5).
     */
    @Test
    void threeTasksFollowTheOrderDrawn() {
        Random reversing = new Random() {
            private static final long serialVersionUID = 1L;

            @Override
            public int nextInt(int bound) {
                return 0;
            }
        };
        List<Tensor> sum = PCGrad.combine(List.of(g(1, 0), g(0, 1), g(-1, -1)), reversing);
        assertArrayEquals(new double[] {0.5, 0.5}, flat(sum), 1e-15);
    }

    @Test
    void gradientsOfDifferentParametersAreRefused() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> PCGrad.dot(List.of(Tensor.zeros(2)), List.of(Tensor.zeros(3))));
        assertEquals("PCGrad: parameter 0's gradients have shapes [2] and [3]", e.getMessage());
    }
}
