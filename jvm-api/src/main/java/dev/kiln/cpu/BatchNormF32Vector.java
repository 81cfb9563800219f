package dev.kiln.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float32 sums of {@link CpuBatchNorm} on the Vector API (a vector of floats a load, widened to two double
 * vectors of the same width, so the sums stay in double as {@link BatchNormF32Loops}'s). Loaded only when
 * {@link CpuGemm#usesVectorApi()} says the module is there and 256- or 512-bit vectors compile. A channel is
 * {@code runs} runs of {@code len} floats, run r at off + r * stride; each run is summed by its own method,
 * its vectors local to it (vectors live across an outer loop or a call the JIT does not inline are boxed on
 * the heap, several times slower than scalar code), and the runs' sums are added in order, so results repeat
 * (they differ from the scalar loops' in the last bits, and between vector widths).
 */
final class BatchNormF32Vector {
    private static final VectorSpecies<Float> F = GemmF32Tiles.S;
    private static final VectorSpecies<Double> D = VectorSpecies.of(double.class, F.vectorShape());
    private static final int LANES = GemmF32Tiles.LANES;

    private BatchNormF32Vector() {
    }

    /** The sum of a channel's values. */
    static double sum(float[] x, int off, int stride, int runs, int len) {
        double total = 0;
        for (int r = 0; r < runs; r++) {
            total += runSum(x, off + r * stride, len);
        }
        return total;
    }

    /** The sum of (x - m)^2 over a channel. */
    static double squaredDeviations(float[] x, int off, int stride, int runs, int len, double m) {
        double total = 0;
        for (int r = 0; r < runs; r++) {
            total += runSquaredDeviations(x, off + r * stride, len, m);
        }
        return total;
    }

    /** sums[at] = the sum of g, sums[at + 1] = the sum of g (x - m) over a channel (g and x laid out alike), one pass. */
    static void sums(float[] g, int gOff, float[] x, int xOff, int stride, int runs, int len, double m, double[] sums, int at) {
        double[] run = new double[2];
        double sum = 0;
        double dot = 0;
        for (int r = 0; r < runs; r++) {
            runSums(g, gOff + r * stride, x, xOff + r * stride, len, m, run);
            sum += run[0];
            dot += run[1];
        }
        sums[at] = sum;
        sums[at + 1] = dot;
    }

    private static double runSum(float[] x, int o, int len) {
        DoubleVector a0 = DoubleVector.zero(D);
        DoubleVector a1 = DoubleVector.zero(D);
        int i = 0;
        for (; i + LANES <= len; i += LANES) {
            FloatVector v = FloatVector.fromArray(F, x, o + i);
            a0 = a0.add((DoubleVector) v.convertShape(VectorOperators.F2D, D, 0));
            a1 = a1.add((DoubleVector) v.convertShape(VectorOperators.F2D, D, 1));
        }
        double s = a0.add(a1).reduceLanes(VectorOperators.ADD);
        for (; i < len; i++) {
            s += x[o + i];
        }
        return s;
    }

    private static double runSquaredDeviations(float[] x, int o, int len, double m) {
        DoubleVector a0 = DoubleVector.zero(D);
        DoubleVector a1 = DoubleVector.zero(D);
        DoubleVector mv = DoubleVector.broadcast(D, m);
        int i = 0;
        for (; i + LANES <= len; i += LANES) {
            FloatVector v = FloatVector.fromArray(F, x, o + i);
            DoubleVector d0 = ((DoubleVector) v.convertShape(VectorOperators.F2D, D, 0)).sub(mv);
            DoubleVector d1 = ((DoubleVector) v.convertShape(VectorOperators.F2D, D, 1)).sub(mv);
            a0 = d0.fma(d0, a0);
            a1 = d1.fma(d1, a1);
        }
        double s = a0.add(a1).reduceLanes(VectorOperators.ADD);
        for (; i < len; i++) {
            double d = x[o + i] - m;
            s += d * d;
        }
        return s;
    }

    /** out[0] = the sum of g, out[1] = the sum of g (x - m) over one run. */
    private static void runSums(float[] g, int go, float[] x, int xo, int len, double m, double[] out) {
        DoubleVector s0 = DoubleVector.zero(D);
        DoubleVector s1 = DoubleVector.zero(D);
        DoubleVector p0 = DoubleVector.zero(D);
        DoubleVector p1 = DoubleVector.zero(D);
        DoubleVector mv = DoubleVector.broadcast(D, m);
        int i = 0;
        for (; i + LANES <= len; i += LANES) {
            FloatVector gv = FloatVector.fromArray(F, g, go + i);
            FloatVector xv = FloatVector.fromArray(F, x, xo + i);
            DoubleVector g0 = (DoubleVector) gv.convertShape(VectorOperators.F2D, D, 0);
            DoubleVector g1 = (DoubleVector) gv.convertShape(VectorOperators.F2D, D, 1);
            s0 = s0.add(g0);
            s1 = s1.add(g1);
            p0 = ((DoubleVector) xv.convertShape(VectorOperators.F2D, D, 0)).sub(mv).fma(g0, p0);
            p1 = ((DoubleVector) xv.convertShape(VectorOperators.F2D, D, 1)).sub(mv).fma(g1, p1);
        }
        double sum = s0.add(s1).reduceLanes(VectorOperators.ADD);
        double dot = p0.add(p1).reduceLanes(VectorOperators.ADD);
        for (; i < len; i++) {
            sum += g[go + i];
            dot += g[go + i] * (x[xo + i] - m);
        }
        out[0] = sum;
        out[1] = dot;
    }
}
