package dev.kiln.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The micro-kernels of {@link GemmF32Vector}: an MR x NR tile of C kept in vector registers over a block of k-steps
 * (per step 2 loads of B, MR broadcasts of A, 2 MR fused multiply-adds), NR two vectors of the machine's preferred
 * width. 512-bit vectors (AVX-512: 32 registers) take 8 rows, 16 accumulators; 256-bit ones (AVX2: 16 registers) take
 * 6 rows, so 12 accumulators, 2 vectors of B and a broadcast of A fit in the registers (8 rows would spill).
 */
final class GemmF32Tiles {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Lanes per vector. */
    static final int LANES = S.length();
    /** Rows of a C tile. */
    static final int MR = LANES >= 16 ? 8 : 6;
    /** Columns of a C tile: two vectors. */
    static final int NR = 2 * LANES;

    private GemmF32Tiles() {
    }

    /**
     * The MR x NR tile at c[co + i * ldc + j] (+)= sum over kc k-steps p of A[i][p] = ap[ao + i * ars + p * acs] (packed:
     * ars 1, acs MR; rows of a row-major matrix: ars its row stride, acs 1) times packed B (NR per step from bo, steps
     * ldb apart).
     */
    static void kernel(int kc, float[] ap, int ao, int ars, int acs, float[] bp, int bo, int ldb, float[] c, int co,
                       int ldc, boolean add) {
        if (MR == 8) {
            kernel8(kc, ap, ao, ars, acs, bp, bo, ldb, c, co, ldc, add);
        } else {
            kernel6(kc, ap, ao, ars, acs, bp, bo, ldb, c, co, ldc, add);
        }
    }

    /** kernel with 8 rows, for 16 lanes. One variable per accumulator, so they stay in registers. */
    private static void kernel8(int kc, float[] ap, int ao, int ars, int acs, float[] bp, int bo, int ldb, float[] c,
                                int co, int ldc, boolean add) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S);
        FloatVector c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S);
        FloatVector c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S);
        FloatVector c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S);
        FloatVector c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S);
        FloatVector c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S);
        FloatVector c71 = FloatVector.zero(S);
        // indices stepped, as kernel6 had them until its multiplied form measured faster on AVX2; this form ran at
        // ~210 GFLOP/s on one Zen 5 core, packed A and rows read in place alike
        for (int p = 0, bAt = bo, aAt = ao; p < kc; p++, bAt += ldb, aAt += acs) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bAt);
            FloatVector b1 = FloatVector.fromArray(S, bp, bAt + LANES);
            FloatVector x = FloatVector.broadcast(S, ap[aAt]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, ap[aAt + ars]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, ap[aAt + 2 * ars]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, ap[aAt + 3 * ars]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, ap[aAt + 4 * ars]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, ap[aAt + 5 * ars]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, ap[aAt + 6 * ars]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, ap[aAt + 7 * ars]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
        }
        if (add) {
            c00 = c00.add(FloatVector.fromArray(S, c, co));
            c01 = c01.add(FloatVector.fromArray(S, c, co + LANES));
        }
        c00.intoArray(c, co);
        c01.intoArray(c, co + LANES);
        if (add) {
            c10 = c10.add(FloatVector.fromArray(S, c, co + ldc));
            c11 = c11.add(FloatVector.fromArray(S, c, co + ldc + LANES));
        }
        c10.intoArray(c, co + ldc);
        c11.intoArray(c, co + ldc + LANES);
        if (add) {
            c20 = c20.add(FloatVector.fromArray(S, c, co + 2 * ldc));
            c21 = c21.add(FloatVector.fromArray(S, c, co + 2 * ldc + LANES));
        }
        c20.intoArray(c, co + 2 * ldc);
        c21.intoArray(c, co + 2 * ldc + LANES);
        if (add) {
            c30 = c30.add(FloatVector.fromArray(S, c, co + 3 * ldc));
            c31 = c31.add(FloatVector.fromArray(S, c, co + 3 * ldc + LANES));
        }
        c30.intoArray(c, co + 3 * ldc);
        c31.intoArray(c, co + 3 * ldc + LANES);
        if (add) {
            c40 = c40.add(FloatVector.fromArray(S, c, co + 4 * ldc));
            c41 = c41.add(FloatVector.fromArray(S, c, co + 4 * ldc + LANES));
        }
        c40.intoArray(c, co + 4 * ldc);
        c41.intoArray(c, co + 4 * ldc + LANES);
        if (add) {
            c50 = c50.add(FloatVector.fromArray(S, c, co + 5 * ldc));
            c51 = c51.add(FloatVector.fromArray(S, c, co + 5 * ldc + LANES));
        }
        c50.intoArray(c, co + 5 * ldc);
        c51.intoArray(c, co + 5 * ldc + LANES);
        if (add) {
            c60 = c60.add(FloatVector.fromArray(S, c, co + 6 * ldc));
            c61 = c61.add(FloatVector.fromArray(S, c, co + 6 * ldc + LANES));
        }
        c60.intoArray(c, co + 6 * ldc);
        c61.intoArray(c, co + 6 * ldc + LANES);
        if (add) {
            c70 = c70.add(FloatVector.fromArray(S, c, co + 7 * ldc));
            c71 = c71.add(FloatVector.fromArray(S, c, co + 7 * ldc + LANES));
        }
        c70.intoArray(c, co + 7 * ldc);
        c71.intoArray(c, co + 7 * ldc + LANES);
    }

    /** kernel with 6 rows, for 8 lanes. One variable per accumulator, so they stay in registers. */
    private static void kernel6(int kc, float[] ap, int ao, int ars, int acs, float[] bp, int bo, int ldb, float[] c,
                                int co, int ldc, boolean add) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S);
        FloatVector c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S);
        FloatVector c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S);
        FloatVector c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S);
        FloatVector c51 = FloatVector.zero(S);
        // indices multiplied from p: the kernel alone (one thread, kc 256, best of 2000 calls, 3 runs each) 85.5
        // GFLOP/s against 78.3 with them stepped; C2 then strength-reduces them itself. (An earlier run on the same VM
        // had found the stepped form faster; C2's register allocation here is fragile, so measure before changing.)
        for (int p = 0; p < kc; p++) {
            int bAt = bo + p * ldb;
            FloatVector b0 = FloatVector.fromArray(S, bp, bAt);
            FloatVector b1 = FloatVector.fromArray(S, bp, bAt + LANES);
            int aAt = ao + p * acs;
            FloatVector x = FloatVector.broadcast(S, ap[aAt]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, ap[aAt + ars]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, ap[aAt + 2 * ars]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, ap[aAt + 3 * ars]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, ap[aAt + 4 * ars]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, ap[aAt + 5 * ars]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        if (add) {
            c00 = c00.add(FloatVector.fromArray(S, c, co));
            c01 = c01.add(FloatVector.fromArray(S, c, co + LANES));
        }
        c00.intoArray(c, co);
        c01.intoArray(c, co + LANES);
        if (add) {
            c10 = c10.add(FloatVector.fromArray(S, c, co + ldc));
            c11 = c11.add(FloatVector.fromArray(S, c, co + ldc + LANES));
        }
        c10.intoArray(c, co + ldc);
        c11.intoArray(c, co + ldc + LANES);
        if (add) {
            c20 = c20.add(FloatVector.fromArray(S, c, co + 2 * ldc));
            c21 = c21.add(FloatVector.fromArray(S, c, co + 2 * ldc + LANES));
        }
        c20.intoArray(c, co + 2 * ldc);
        c21.intoArray(c, co + 2 * ldc + LANES);
        if (add) {
            c30 = c30.add(FloatVector.fromArray(S, c, co + 3 * ldc));
            c31 = c31.add(FloatVector.fromArray(S, c, co + 3 * ldc + LANES));
        }
        c30.intoArray(c, co + 3 * ldc);
        c31.intoArray(c, co + 3 * ldc + LANES);
        if (add) {
            c40 = c40.add(FloatVector.fromArray(S, c, co + 4 * ldc));
            c41 = c41.add(FloatVector.fromArray(S, c, co + 4 * ldc + LANES));
        }
        c40.intoArray(c, co + 4 * ldc);
        c41.intoArray(c, co + 4 * ldc + LANES);
        if (add) {
            c50 = c50.add(FloatVector.fromArray(S, c, co + 5 * ldc));
            c51 = c51.add(FloatVector.fromArray(S, c, co + 5 * ldc + LANES));
        }
        c50.intoArray(c, co + 5 * ldc);
        c51.intoArray(c, co + 5 * ldc + LANES);
    }
}
