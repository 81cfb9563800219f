package dev.kiln.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Column sums of float32 rows on the Vector API, in double, for {@link CpuReduce}'s sum over leading dims (a bias's
 * gradient): a vector of floats a load per row, widened to two double vectors that hold the running sums. Each column
 * is summed row after row from 0, as the scalar loop sums it, so the bits are the same; the scalar loop reads
 * {@code x[at + c]} one element at a time (C2 does not vectorise a loop whose index has an offset), ~5x slower. Loaded
 * only when {@link CpuGemm#usesVectorApi()}.
 */
final class ReduceF32Vector {
    private static final VectorSpecies<Float> F = GemmF32Tiles.S;
    private static final VectorSpecies<Double> D = VectorSpecies.of(double.class, F.vectorShape());
    /** Columns one call sums. */
    static final int LANES = GemmF32Tiles.LANES;

    private ReduceF32Vector() {
    }

    /** out[c0 + j] = sum over r &lt; rows of x[at + r * cols + c0 + j] for j &lt; LANES. */
    static void columnSums(float[] x, int at, int rows, int cols, int c0, double[] out) {
        DoubleVector s0 = DoubleVector.zero(D);
        DoubleVector s1 = DoubleVector.zero(D);
        for (int r = 0, o = at + c0; r < rows; r++, o += cols) {
            FloatVector v = FloatVector.fromArray(F, x, o);
            s0 = s0.add((DoubleVector) v.convertShape(VectorOperators.F2D, D, 0));
            s1 = s1.add((DoubleVector) v.convertShape(VectorOperators.F2D, D, 1));
        }
        s0.intoArray(out, c0);
        s1.intoArray(out, c0 + D.length());
    }
}
