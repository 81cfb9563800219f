package dev.kiln;

/**
 * bfloat16 and float16 values held as their 16 bits in a short, and their conversions to and from
 * float, rounding to nearest even with the bits PyTorch's tensor casts give (its vectorised
 * conversions, checked against PyTorch 1.13): NaN becomes bfloat16 0xFFFF and float16 sign | 0x7E00;
 * float16 overflows to infinity from 65520 up and keeps subnormals. A double goes through float
 * first, as PyTorch's casts from float64 do (so a value just past a tie can round down). The CPU backend stores these dtypes as
 * their bits and converts with these; checkpoints read and write them.
 */
public final class HalfFloats {
    private HalfFloats() {
    }

    public static float toFloat(DType dtype, short bits) {
        return dtype == DType.BFLOAT16 ? bfloat16ToFloat(bits) : float16ToFloat(bits);
    }

    public static short fromFloat(DType dtype, float f) {
        return dtype == DType.BFLOAT16 ? floatToBfloat16(f) : floatToFloat16(f);
    }

    public static float bfloat16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    public static short floatToBfloat16(float f) {
        if (Float.isNaN(f)) {
            return (short) 0xFFFF;
        }
        int x = Float.floatToRawIntBits(f);
        int roundingBias = 0x7FFF + ((x >>> 16) & 1);   // ties to the even upper half
        return (short) ((x + roundingBias) >>> 16);
    }

    public static float float16ToFloat(short bits) {
        int h = bits & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1F;
        int mantissa = h & 0x3FF;
        if (exponent == 0) {   // zero or subnormal: mantissa * 2^-24, exact in float
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        if (exponent == 0x1F) {   // infinity or NaN, payload kept
            return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13));
        }
        return Float.intBitsToFloat(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
    }

    public static short floatToFloat16(float f) {
        int x = Float.floatToRawIntBits(f);
        int sign = (x >>> 16) & 0x8000;
        int abs = x & 0x7FFFFFFF;
        if (abs > 0x7F800000) {
            return (short) (sign | 0x7E00);
        }
        if (abs >= 0x477FF000) {   // 65520 and up (and infinity) round to infinity
            return (short) (sign | 0x7C00);
        }
        if (abs < 0x38800000) {   // below 2^-14, the smallest normal: a subnormal step is 2^-24
            int steps = (int) Math.rint(Float.intBitsToFloat(abs) * 0x1p24f);   // exact product; rint ties to even
            return (short) (sign | steps);   // 1024 steps carry into the smallest normal's bits
        }
        int h = ((abs >>> 23) - 127 + 15) << 10 | (abs >>> 13) & 0x3FF;
        int rest = abs & 0x1FFF;
        if (rest > 0x1000 || (rest == 0x1000 && (h & 1) != 0)) {
            h++;   // a carry into the exponent is the right rounding too
        }
        return (short) (sign | h);
    }
}
