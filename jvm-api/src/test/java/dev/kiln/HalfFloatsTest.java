package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** bfloat16 / float16 conversions: PyTorch's bits for the edge cases, and an independent nearest-value search. */
class HalfFloatsTest {
    /**
     * {float32 bits, bfloat16 bits, float16 bits} as PyTorch 1.13 casts them:
     * {@code t.to(torch.bfloat16).view(torch.int16)} and the same for float16.
     */
    private static final int[][] TORCH = {
        {0x00000000, 0x0000, 0x0000}, {0x80000000, 0x8000, 0x8000}, {0x3F800000, 0x3F80, 0x3C00},
        {0xBF800000, 0xBF80, 0xBC00},
        {0x3F808000, 0x3F80, 0x3C04},   // 1 + 2^-8: a bfloat16 tie, to even (down)
        {0x3F80C000, 0x3F81, 0x3C06},   // 1 + 3 * 2^-9: a bfloat16 tie, to even (up)
        {0x3F806000, 0x3F80, 0x3C03}, {0x3F802000, 0x3F80, 0x3C01}, {0x40490FDB, 0x4049, 0x4248},
        {0x477FE000, 0x4780, 0x7BFF},   // 65504, float16's largest
        {0x477FEFFD, 0x4780, 0x7BFF},   // just below 65520: still 65504
        {0x477FF000, 0x4780, 0x7C00},   // 65520: infinity
        {0x47C35000, 0x47C3, 0x7C00}, {0xC7C35000, 0xC7C3, 0xFC00},
        {0x38800000, 0x3880, 0x0400},   // 2^-14, float16's smallest normal
        {0x387FC000, 0x3880, 0x03FF},   // its largest subnormal
        {0x33800000, 0x3380, 0x0001},   // 2^-24, the smallest subnormal
        {0x33000000, 0x3300, 0x0000},   // 2^-25: a tie, to even (zero)
        {0x33000001, 0x3300, 0x0001},   // just above it
        {0x33C00000, 0x33C0, 0x0002},   // 1.5 * 2^-24: a tie, to even (2)
        {0x2EDBE6FF, 0x2EDC, 0x0000}, {0x7F7F0000, 0x7F7F, 0x7C00},
        {0x7F7FC99E, 0x7F80, 0x7C00},   // rounds past bfloat16's largest: infinity
        {0x7F800000, 0x7F80, 0x7C00}, {0xFF800000, 0xFF80, 0xFC00},
        {0x7FC00000, 0xFFFF, 0x7E00},   // NaN
        {0xFFC00000, 0xFFFF, 0xFE00},   // -NaN
        {0x00800000, 0x0080, 0x0000}, {0x00010000, 0x0001, 0x0000}, {0x3DCCCCCD, 0x3DCD, 0x2E66},
        {0xBB23D70A, 0xBB24, 0x991F}, {0x47F12065, 0x47F1, 0x7C00},
    };

    @Test
    void castsGivePyTorchsBits() {
        for (int[] c : TORCH) {
            float f = Float.intBitsToFloat(c[0]);
            assertEquals(c[1], HalfFloats.floatToBfloat16(f) & 0xFFFF, "bfloat16 of " + f);
            assertEquals(c[2], HalfFloats.floatToFloat16(f) & 0xFFFF, "float16 of " + f);
        }
    }

    @Test
    void everyBitPatternWidensToItsValue() {
        for (int h = 0; h < 1 << 16; h++) {
            int sign = h >>> 15;
            int e = (h >>> 10) & 0x1F;
            int m = h & 0x3FF;
            double want = e == 0 ? m * 0x1p-24 : e == 31 ? (m == 0 ? Double.POSITIVE_INFINITY : Double.NaN)
                    : Math.scalb(1 + m / 1024.0, e - 15);
            float got = HalfFloats.float16ToFloat((short) h);
            if (Double.isNaN(want)) {
                assertTrue(Float.isNaN(got), "float16 NaN " + Integer.toHexString(h));
            } else {
                assertEquals(sign == 1 ? -want : want, got, 0.0, "float16 " + Integer.toHexString(h));
                assertEquals(h, HalfFloats.floatToFloat16(got) & 0xFFFF, "float16 round trip " + Integer.toHexString(h));
            }
            float b = HalfFloats.bfloat16ToFloat((short) h);
            assertEquals(h << 16, Float.floatToRawIntBits(b), "bfloat16 " + Integer.toHexString(h));
            if (!Float.isNaN(b)) {
                assertEquals(h, HalfFloats.floatToBfloat16(b) & 0xFFFF, "bfloat16 round trip " + Integer.toHexString(h));
            }
        }
    }

    /** Random floats against the nearest of all finite values of the type (ties to the even pattern). */
    @Test
    void roundingIsToTheNearestValueTiesToEven() {
        double[] f16 = finiteValues(DType.FLOAT16);
        double[] bf16 = finiteValues(DType.BFLOAT16);
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 200_000; i++) {
            float f = Float.intBitsToFloat(r.nextInt());
            if (Float.isNaN(f)) {
                continue;
            }
            assertEquals(nearest(f16, f, 65520.0), HalfFloats.float16ToFloat(HalfFloats.floatToFloat16(f)), 0.0, "float16 of " + f);
            double bfOverflow = 0x1.FFp127;   // halfway between bfloat16's largest (0x1.FEp127) and 2^128
            assertEquals(nearest(bf16, f, bfOverflow), HalfFloats.bfloat16ToFloat(HalfFloats.floatToBfloat16(f)), 0.0,
                    "bfloat16 of " + f);
        }
    }

    /** The non-negative finite values of a 16-bit type, ascending. */
    private static double[] finiteValues(DType t) {
        double[] v = new double[1 << 15];
        int n = 0;
        for (int h = 0; h < 1 << 15; h++) {
            float f = HalfFloats.toFloat(t, (short) h);
            if (Float.isFinite(f)) {
                v[n++] = f;
            }
        }
        return Arrays.copyOf(v, n);
    }

    /** The value nearest |f| (ties: the one with an even last bit, i.e. an even index), signed as f. */
    private static double nearest(double[] values, float f, double overflow) {
        double a = Math.abs((double) f);
        double r;
        if (a >= overflow) {
            r = Double.POSITIVE_INFINITY;
        } else {
            int i = Arrays.binarySearch(values, a);
            if (i >= 0) {
                r = values[i];
            } else {
                int hi = -i - 1;
                int lo = hi - 1;
                if (hi == values.length) {
                    return Math.copySign(values[lo], f);   // past the largest, below the overflow point
                }
                double dLo = a - values[lo];
                double dHi = values[hi] - a;
                r = dLo < dHi ? values[lo] : dHi < dLo ? values[hi] : values[lo % 2 == 0 ? lo : hi];
            }
        }
        return Math.copySign(r, f);
    }
}
