package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Generator;
import dev.kiln.GradMode;
import dev.kiln.SparseMatrix;
import dev.kiln.Tensor;
import dev.kiln.autograd.GradCheck;
import dev.kiln.testing.TestDevice;
import dev.kiln.testing.Tolerances;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * GCNConv, GCNConv.normalize and GraphConv over a sparse operator, on every device: a worked
 * normalisation, the layers against their dense formulas (outputs and parameter gradients), and
 * float64 gradchecks through the sparse products.
 */
class GraphLayersTest {
    /** A 5-node graph: the path 0-1-2-3, node 4 alone, edge weights 1, 2, 0.5 (both directions). */
    private static SparseMatrix graph(DType dtype, Device d) {
        Tensor idx = Tensor.fromArray(new long[] {0, 1, 1, 2, 2, 3, 1, 0, 2, 1, 3, 2}, 2, 6);
        return SparseMatrix.coo(idx, Tensor.fromArray(new double[] {1, 1, 2, 2, 0.5, 0.5}, 6).to(dtype).to(d), 5, 5);
    }

    /**
     * The path 0-1-2 with unit weights: degrees with self loops 2, 3, 2, so
     * Â = [[1/2, 1/sqrt6, 0], [1/sqrt6, 1/3, 1/sqrt6], [0, 1/sqrt6, 1/2]].
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.testing.TestDevice#all")
    void normalizeAddsSelfLoopsAndScalesBySquareRootDegrees(TestDevice target) {
        Device d = target.use();
        Tensor idx = Tensor.fromArray(new long[] {0, 1, 1, 2, 1, 0, 2, 1}, 2, 4);
        SparseMatrix a = SparseMatrix.coo(idx, Tensor.ones(new int[] {4}, DType.FLOAT64, d), 3, 3);
        double s = 1 / Math.sqrt(6);
        assertArrayEquals(new double[] {0.5, s, 0, s, 1.0 / 3, s, 0, s, 0.5},
                GCNConv.normalize(a).toDense().toDoubleArray(), 1e-15);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.testing.TestDevice#withFloatDtypes")
    void gcnConvEqualsItsDenseFormula(TestDevice target, DType dtype) {
        Device d = target.use();
        GCNConv conv = new GCNConv(3, 4, new Generator(1)).to(dtype).to(d);
        try (var noGrad = GradMode.noGrad()) {
            conv.bias().copy_(Tensor.fromArray(new double[] {0.1, -0.2, 0.3, 0}, 4));
        }
        SparseMatrix aHat = GCNConv.normalize(graph(dtype, d));
        Tensor x = Tensor.randn(new Generator(2), 5, 3).to(dtype).to(d);
        Tensor v = Tensor.randn(new Generator(3), 5, 4).to(dtype).to(d);
        conv.forward(aHat, x).mul(v).sum().backward();
        Tensor gw = conv.weight().grad();
        conv.weight().zeroGrad();
        Tensor dense = aHat.toDense().matmul(x.matmul(conv.weight())).add(conv.bias());
        dense.mul(v).sum().backward();
        Tolerances.BALANCED.of(dtype).assertClose("output", dense, conv.forward(aHat, x));
        Tolerances.BALANCED.of(dtype).assertClose("grad of weight", conv.weight().grad(), gw);
    }

    /** GraphConv over the sparse operator equals GraphConv over the same operator as a dense Laplacian buffer. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.testing.TestDevice#withFloatDtypes")
    void graphConvOverASparseOperatorEqualsTheDenseOne(TestDevice target, DType dtype) {
        Device d = target.use();
        SparseMatrix delta = GCNConv.normalize(graph(dtype, d));
        GraphConv sparse = new GraphConv(3, 2, 3, new Tanh(), new Generator(4)).to(dtype).to(d);
        GraphConv dense = new GraphConv(delta.toDense().to(Device.CPU), 3, 2, 3, new Tanh(), new Generator(4)).to(dtype).to(d);
        Tensor x = Tensor.randn(new Generator(5), 5, 3).to(dtype).to(d);
        Tolerances.BALANCED.of(dtype).assertClose("output", dense.forward(x), sparse.forward(delta, x));
        sparse.forward(delta, x).sum().backward();
        dense.forward(x).sum().backward();
        Map<String, Parameter> ps = sparse.namedParameters();
        dense.namedParameters().forEach((k, p) -> Tolerances.BALANCED.of(dtype).assertClose("grad of " + k, p.grad(),
                ps.get(k).grad()));
    }

    /** Central differences through normalize, both sparse products and their transposes: x and the edge weights. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.testing.TestDevice#all")
    void float64GradientsEqualCentralDifferences(TestDevice target) {
        Device d = target.use();
        GCNConv conv = new GCNConv(3, 2, new Generator(6)).to(DType.FLOAT64).to(d);
        GraphConv poly = new GraphConv(2, 2, 3, null, new Generator(7)).to(DType.FLOAT64).to(d);
        Tensor idx = graph(DType.FLOAT64, d).indices().to(Device.CPU);
        Tensor x = Tensor.randn(new Generator(8), 5, 3).to(DType.FLOAT64).to(d).requiresGrad_(true);
        Tensor w = Tensor.rand(new Generator(9), 6).add(0.5).to(DType.FLOAT64).to(d).requiresGrad_(true);
        GradCheck.gradcheck(a -> {
            SparseMatrix aHat = GCNConv.normalize(SparseMatrix.coo(idx, a[1], 5, 5));
            return poly.forward(aHat, conv.forward(aHat, a[0]).tanh());
        }, x, w);
    }

    @Test
    void badShapesAreNamed() {
        SparseMatrix aHat = GCNConv.normalize(graph(DType.FLOAT32, Device.CPU));
        GCNConv conv = new GCNConv(3, 4, new Generator(1));
        String msg = assertThrows(IllegalArgumentException.class, () -> conv.forward(aHat, Tensor.ones(5, 2))).getMessage();
        assertTrue(msg.contains("GCNConv: x must be (nodes, 3) for a 5 x 5 graph, got [5, 2]"), msg);
        GraphConv poly = new GraphConv(3, 2, 2, null, new Generator(1));
        msg = assertThrows(IllegalStateException.class, () -> poly.forward(Tensor.ones(5, 3))).getMessage();
        assertTrue(msg.contains("made without a Laplacian"), msg);
        msg = assertThrows(IllegalArgumentException.class, () -> poly.forward(aHat, Tensor.ones(4, 3))).getMessage();
        assertTrue(msg.contains("input must be (nodes, in) with 5 nodes, got [4, 3]"), msg);
        msg = assertThrows(IllegalArgumentException.class,
                () -> GCNConv.normalize(SparseMatrix.coo(Tensor.zeros(new int[] {2, 0}, DType.INT64, Device.CPU),
                        Tensor.ones(0), 2, 3))).getMessage();
        assertTrue(msg.contains("must be square, got 2 x 3"), msg);
    }
}
