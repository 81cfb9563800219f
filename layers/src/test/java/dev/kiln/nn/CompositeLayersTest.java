package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.testing.Tolerances;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The residual block and the graph convolution against their definitions written out. */
class CompositeLayersTest {
    @Test
    void basicBlock_isReluOfBodyPlusProjectedInput() {
        Generator g = new Generator(30);
        ResidualBlock block = ResidualBlock.basic(2, 4, 2, g);
        block.to(DType.FLOAT64);
        assertEquals(List.of("body.0.weight", "body.1.weight", "body.1.bias", "body.3.weight", "body.4.weight", "body.4.bias",
                "shortcut.0.weight", "shortcut.1.weight", "shortcut.1.bias"), new ArrayList<>(block.namedParameters().keySet()));
        Tensor x = Tensor.normal(g, 0, 1, new int[] {2, 2, 6, 6}, DType.FLOAT64, Device.CPU);
        Tensor y = block.forward(x);
        assertArrayEquals(new int[] {2, 4, 3, 3}, y.shape());
        Module body = block.namedChildren().get("body");
        Module shortcut = block.namedChildren().get("shortcut");
        Tensor expected = ((Layer) body).forward(x).add(((Layer) shortcut).forward(x)).relu();
        Tolerances.BALANCED.of(DType.FLOAT64).assertClose("basic block", expected, y);
        Tensor same = Tensor.normal(g, 0, 1, new int[] {1, 3, 4, 4}, DType.FLOAT64, Device.CPU);
        ResidualBlock identity = ResidualBlock.basic(3, 3, 1, g);
        identity.to(DType.FLOAT64);
        assertEquals(null, identity.namedChildren().get("shortcut"));
        Tolerances.BALANCED.of(DType.FLOAT64).assertClose("identity shortcut",
                ((Layer) identity.namedChildren().get("body")).forward(same).add(same).relu(), identity.forward(same));
    }

    @Test
    void graphConv_equalsSumOfLaplacianPowersTimesAlphaPlusBias() {
        Generator g = new Generator(31);
        // path graph 0 - 1 - 2: Δ = D - A
        Tensor lap = Tensor.of(1.0, -1, 0, -1, 2, -1, 0, -1, 1).reshape(3, 3);
        GraphConv gc = new GraphConv(lap, 2, 3, 3, new ReLU(), g);
        gc.to(DType.FLOAT64);
        Tensor x = Tensor.normal(g, 0, 1, new int[] {3, 2}, DType.FLOAT64, Device.CPU);
        Tensor a = gc.alpha().detach();
        Tensor lap2 = lap.matmul(lap);
        Tensor expected = x.matmul(a.select(0, 0)).add(lap.matmul(x).matmul(a.select(0, 1)))
                .add(lap2.matmul(x).matmul(a.select(0, 2))).add(gc.bias().detach()).relu();
        Tolerances.BALANCED.of(DType.FLOAT64).assertClose("graph convolution", expected, gc.forward(x));
    }
}
