package dev.kiln.autograd;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BinaryOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * gradcheck with random, broadcast-compatible shapes (rank 0-3) and random non-contiguous views
 * (a transposed copy read back through its transpose), for the binary ops and reductions.
 */
class RandomShapeGradCheckTest {
    record Draw(String op, long seed) {
        @Override
        public String toString() {
            return op + " seed " + seed;
        }
    }

    static List<Draw> draws() {
        List<Draw> d = new ArrayList<>();
        for (String op : List.of("add", "sub", "mul", "div", "pow", "maximum", "minimum", "sum", "mean", "amax", "var")) {
            for (long seed = 0; seed < 4; seed++) {
                d.add(new Draw(op, seed));
            }
        }
        return d;
    }

    private static BinaryOperator<Tensor> binary(String op) {
        switch (op) {
            case "add": return Tensor::add;
            case "sub": return Tensor::sub;
            case "mul": return Tensor::mul;
            case "div": return Tensor::div;
            case "pow": return Tensor::pow;
            case "maximum": return Tensor::maximum;
            default: return Tensor::minimum;
        }
    }

    /** A leaf of the shape, possibly stored transposed so that the leaf's view is non-contiguous. */
    private static Tensor leaf(Random r, Generator g, int[] shape, boolean positive) {
        Tensor t = Tensor.normal(g, 0, 1, shape, DType.FLOAT64, Device.CPU);
        if (positive) {
            t = t.abs().add(0.5);
        }
        if (shape.length >= 2 && r.nextBoolean()) {
            t = t.transpose(0, shape.length - 1).contiguous().transpose(0, shape.length - 1);
        }
        return t.requiresGrad_(true);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("draws")
    void gradcheck_onRandomShapesAndViews(Draw d) {
        Random r = new Random(d.seed());
        Generator g = new Generator(d.seed());
        int rank = r.nextInt(4);
        int[] a = new int[rank];
        for (int i = 0; i < rank; i++) {
            a[i] = 1 + r.nextInt(3);
        }
        if (List.of("sum", "mean", "amax", "var").contains(d.op())) {
            Tensor x = leaf(r, g, a, false);
            int[] dims = rank == 0 ? new int[0] : new int[] {r.nextInt(rank)};
            boolean keep = r.nextBoolean();
            switch (d.op()) {
                case "sum": GradCheck.gradcheck(t -> t[0].sum(dims, keep), x); break;
                case "mean": GradCheck.gradcheck(t -> t[0].mean(dims, keep), x); break;
                case "amax": GradCheck.gradcheck(t -> t[0].amax(dims, keep), x); break;
                default:
                    if (x.numel() > 1) {
                        GradCheck.gradcheck(t -> t[0].var(new int[0], 1, keep), x);
                    }
            }
            return;
        }
        // b: a suffix of a's shape with some dims set to 1, so broadcasting runs both ways
        int[] b = new int[r.nextInt(rank + 1)];
        for (int i = 0; i < b.length; i++) {
            b[i] = r.nextBoolean() ? 1 : a[rank - b.length + i];
        }
        for (int i = 0; i < rank; i++) {
            if (r.nextInt(4) == 0) {
                a[i] = 1;
            }
        }
        boolean positive = d.op().equals("div") || d.op().equals("pow");
        Tensor x = leaf(r, g, a, positive);
        Tensor y = leaf(r, g, b, positive);
        BinaryOperator<Tensor> f = binary(d.op());
        GradCheck.gradcheck(t -> f.apply(t[0], t[1]), x, y);
    }
}
