package dev.kiln.cpu;

import java.util.Arrays;

/**
 * float32 conv2d weight gradient of one group over a slice of images, gw (og, colRows) = gy (og, pixels)
 * col^T (pixels, colRows), for convolutions whose gw is too small for the packed GEMM's panels (LeNet's
 * first layer: 6 x 25). Pixels are the vector lanes: blocks of LANES pixels of col (TAPS rows at a time)
 * and of gy (OUTS rows) are multiplied element by element into (TAPS * OUTS, LANES) running sums, whose
 * lanes are added up at the end. col blocks are copied from x a pixel row at a time (no gather), and no
 * product is wasted on padding beyond whole blocks. Sums run per lane, then across lanes in order.
 *
 * <p>Why this shape: as in {@link GemmF32}, C2 vectorises the j loop only when every index is j plus a
 * constant, so a (TAPS, LANES) col block and an (OUTS, LANES) gy block are each one array with rows at
 * constant offsets; with its loads of the sums the body stays vectorised up to 8 multiply-adds (4 x 2
 * and 2 x 3 measured ~13 GFMA/s on the AVX-512 EPYC, 3 x 3, 5 x 2 and 5 x 3 ~3: scalar).
 */
final class WeightGradLanes {
    /** Pixels per block: the kernel's vector loop length. */
    private static final int LANES = 128;
    /** col rows (kernel taps) per block. */
    private static final int TAPS = 4;
    /** Output channels per block. */
    private static final int OUTS = 2;

    private WeightGradLanes() {
    }

    /** True when the packed GEMM would pad gw's columns (colRows) mostly with zeros. */
    static boolean suits(ConvGeometry g) {
        return g.colRows() <= GemmPanels.TINY;
    }

    /**
     * gw[i * colRows + t] = sum over q &lt; pixels of gy[gyOff + i * ldGy + q] col[t][q], where col is the
     * im2col matrix of consecutive images whose group starts at x[xOff] (images imageStride apart).
     */
    static void gradient(ConvGeometry g, int pixels, float[] gy, int gyOff, int ldGy, float[] x, int xOff,
                         int imageStride, float[] gw) {
        int colRows = g.colRows();
        int og = g.og();
        int tapBlocks = (colRows + TAPS - 1) / TAPS;
        int outBlocks = (og + OUTS - 1) / OUTS;
        int pixelBlocks = (pixels + 2 * LANES - 1) / (2 * LANES) * 2; // even: the kernel takes them in pairs
        // col (colRows, pixels) and gy (og, pixels) in zero-padded blocks
        float[][] cols = new float[tapBlocks * pixelBlocks][TAPS * LANES];
        for (int tb = 0; tb < tapBlocks; tb++) {
            for (int pb = 0; pb < pixelBlocks; pb++) {
                if (pb * LANES < pixels) {
                    Im2col.packRows(x, xOff, imageStride, g, tb * TAPS, Math.min(TAPS, colRows - tb * TAPS),
                            pb * LANES, Math.min(LANES, pixels - pb * LANES), cols[tb * pixelBlocks + pb], LANES);
                }
            }
        }
        float[][] gys = new float[outBlocks * pixelBlocks][OUTS * LANES];
        for (int ob = 0; ob < outBlocks; ob++) {
            for (int pb = 0; pb < pixelBlocks; pb++) {
                for (int c = 0; c < OUTS && ob * OUTS + c < og && pb * LANES < pixels; c++) {
                    System.arraycopy(gy, gyOff + (ob * OUTS + c) * ldGy + pb * LANES, gys[ob * pixelBlocks + pb],
                            c * LANES, Math.min(LANES, pixels - pb * LANES));
                }
            }
        }
        float[] sums = new float[TAPS * OUTS * LANES];
        for (int tb = 0; tb < tapBlocks; tb++) {
            for (int ob = 0; ob < outBlocks; ob++) {
                Arrays.fill(sums, 0f);
                for (int pb = 0; pb < pixelBlocks; pb += 2) {
                    kernel(sums, cols[tb * pixelBlocks + pb], gys[ob * pixelBlocks + pb], cols[tb * pixelBlocks + pb + 1],
                            gys[ob * pixelBlocks + pb + 1]);
                }
                for (int r = 0; r < TAPS && tb * TAPS + r < colRows; r++) {
                    for (int c = 0; c < OUTS && ob * OUTS + c < og; c++) {
                        gw[(ob * OUTS + c) * colRows + tb * TAPS + r] = laneSum(sums, (r * OUTS + c) * LANES);
                    }
                }
            }
        }
    }

    /** sums[from] + ... + sums[from + LANES - 1], as eight interleaved running sums (a shorter chain of adds). */
    private static float laneSum(float[] sums, int from) {
        float s0 = 0f;
        float s1 = 0f;
        float s2 = 0f;
        float s3 = 0f;
        float s4 = 0f;
        float s5 = 0f;
        float s6 = 0f;
        float s7 = 0f;
        for (int j = from; j < from + LANES; j += 8) {
            s0 += sums[j];
            s1 += sums[j + 1];
            s2 += sums[j + 2];
            s3 += sums[j + 3];
            s4 += sums[j + 4];
            s5 += sums[j + 5];
            s6 += sums[j + 6];
            s7 += sums[j + 7];
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    /**
     * sums (TAPS * OUTS, LANES) += col blocks (TAPS, LANES) times gy blocks (OUTS, LANES), element by
     * element, for two blocks of pixels. Two loops keep the method above C2's inlining size: inlined
     * into the caller's loops, the loop was not vectorised (measured half the speed).
     */
    private static void kernel(float[] sums, float[] col, float[] gy, float[] col2, float[] gy2) {
        for (int j = 0; j < LANES; j++) {
            float x0 = col[j];
            float x1 = col[LANES + j];
            float x2 = col[2 * LANES + j];
            float x3 = col[3 * LANES + j];
            float g0 = gy[j];
            float g1 = gy[LANES + j];
            sums[j] = Math.fma(x0, g0, sums[j]);
            sums[LANES + j] = Math.fma(x0, g1, sums[LANES + j]);
            sums[2 * LANES + j] = Math.fma(x1, g0, sums[2 * LANES + j]);
            sums[3 * LANES + j] = Math.fma(x1, g1, sums[3 * LANES + j]);
            sums[4 * LANES + j] = Math.fma(x2, g0, sums[4 * LANES + j]);
            sums[5 * LANES + j] = Math.fma(x2, g1, sums[5 * LANES + j]);
            sums[6 * LANES + j] = Math.fma(x3, g0, sums[6 * LANES + j]);
            sums[7 * LANES + j] = Math.fma(x3, g1, sums[7 * LANES + j]);
        }
        for (int j = 0; j < LANES; j++) {
            float x0 = col2[j];
            float x1 = col2[LANES + j];
            float x2 = col2[2 * LANES + j];
            float x3 = col2[3 * LANES + j];
            float g0 = gy2[j];
            float g1 = gy2[LANES + j];
            sums[j] = Math.fma(x0, g0, sums[j]);
            sums[LANES + j] = Math.fma(x0, g1, sums[LANES + j]);
            sums[2 * LANES + j] = Math.fma(x1, g0, sums[2 * LANES + j]);
            sums[3 * LANES + j] = Math.fma(x1, g1, sums[3 * LANES + j]);
            sums[4 * LANES + j] = Math.fma(x2, g0, sums[4 * LANES + j]);
            sums[5 * LANES + j] = Math.fma(x2, g1, sums[5 * LANES + j]);
            sums[6 * LANES + j] = Math.fma(x3, g0, sums[6 * LANES + j]);
            sums[7 * LANES + j] = Math.fma(x3, g1, sums[7 * LANES + j]);
        }
    }
}
