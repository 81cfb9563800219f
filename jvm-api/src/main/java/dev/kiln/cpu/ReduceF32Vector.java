package dev.kiln.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Sums of float32 on the Vector API, in double, for {@link CpuReduce}. Column sums of rows (a sum over leading dims: a
 * bias's gradient): a vector of floats a load per row, widened to two double vectors that hold the running sums. Each
 * column is summed row after row from 0, as the scalar loop sums it, so the bits are the same; the scalar loop reads
 * {@code x[at + c]} one element at a time (C2 does not vectorise a loop whose index has an offset), ~5x slower.
 * Contiguous runs (a sum over an image's pixels: a convolution's bias gradient) into {@link #RUN_LANES} running sums,
 * one per lane. Loaded only when {@link CpuGemm#usesVectorApi()}.
 */
final class ReduceF32Vector {
    private static final VectorSpecies<Float> F = GemmF32Tiles.S;
    private static final VectorSpecies<Double> D = VectorSpecies.of(double.class, F.vectorShape());
    /** Floats that widen to one vector of doubles (half of F), and their count. */
    private static final VectorSpecies<Float> HALF = VectorSpecies.of(float.class,
            VectorShape.forBitSize(F.vectorBitSize() / 2));
    private static final int H = D.length();
    /** Columns one call sums. */
    static final int LANES = GemmF32Tiles.LANES;
    /** Running sums of {@link #addRun}: element q of a run goes to sum q % RUN_LANES. */
    static final int RUN_LANES = 2 * LANES;

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

    /**
     * lanes[q % RUN_LANES] += x[from + q] (in double) for the run's elements q &lt; count, in order: four vectors of
     * doubles side by side, each widened from half a vector of floats (one conversion, where the upper half of a whole
     * one costs a shuffle too).
     */
    static void addRun(float[] x, int from, int count, double[] lanes) {
        DoubleVector s0 = DoubleVector.fromArray(D, lanes, 0);
        DoubleVector s1 = DoubleVector.fromArray(D, lanes, H);
        DoubleVector s2 = DoubleVector.fromArray(D, lanes, 2 * H);
        DoubleVector s3 = DoubleVector.fromArray(D, lanes, 3 * H);
        int q = 0;
        for (; q + 4 * H <= count; q += 4 * H) {
            int at = from + q;
            s0 = s0.add((DoubleVector) FloatVector.fromArray(HALF, x, at).convertShape(VectorOperators.F2D, D, 0));
            s1 = s1.add((DoubleVector) FloatVector.fromArray(HALF, x, at + H).convertShape(VectorOperators.F2D, D, 0));
            s2 = s2.add((DoubleVector) FloatVector.fromArray(HALF, x, at + 2 * H).convertShape(VectorOperators.F2D, D, 0));
            s3 = s3.add((DoubleVector) FloatVector.fromArray(HALF, x, at + 3 * H).convertShape(VectorOperators.F2D, D, 0));
        }
        s0.intoArray(lanes, 0);
        s1.intoArray(lanes, H);
        s2.intoArray(lanes, 2 * H);
        s3.intoArray(lanes, 3 * H);
        for (; q < count; q++) {
            lanes[q % (4 * H)] += x[from + q];
        }
    }
}
