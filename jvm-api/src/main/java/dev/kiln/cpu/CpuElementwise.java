package dev.kiln.cpu;

import dev.kiln.DType;
import dev.kiln.Shape;
import dev.kiln.spi.NdArray;
import dev.kiln.spi.BinaryOp;
import dev.kiln.spi.CompareOp;
import dev.kiln.spi.UnaryOp;

/**
 * Unary, binary, comparison, where, cast and copy kernels. Float values compute in double, except
 * float32 operands laid out for {@link Float32Loops} with an operator there, whose results are the same.
 */
final class CpuElementwise {

    private CpuElementwise() {
    }

    static NdArray unary(UnaryOp op, NdArray x) {
        if (CpuMap.exactLong(x.dtype())) {
            return CpuMap.mapLong(x.shape(), x.dtype(), (in, o, n) -> unaryLong(op, in[0], o, n), x);
        }
        if (x.dtype() == DType.FLOAT32 && Float32Loops.has(op)) {
            NdArray out = CpuMap.emptyArray(x.shape(), DType.FLOAT32); // intoRuns writes every element, or declines
            if (CpuMap.intoRuns(out, (o, oo, in, io, is, n) -> Float32Loops.unary(op, (float[]) o, oo, (float[]) in[0], io[0],
                    is[0], n), x)) {
                return out;
            }
        }
        // float32 and 16-bit results take erf, GELU, tanh and sigmoid from Float32Functions on every layout, as the
        // float32 loops do
        boolean narrow = x.dtype() != DType.FLOAT64;
        return CpuMap.mapDouble(x.shape(), x.dtype(), (in, o, n) -> unaryDouble(op, in[0], o, n, narrow), x);
    }

    private static void unaryDouble(UnaryOp op, double[] a, double[] o, int n, boolean narrow) {
        if (narrow && Float32Functions.has(op)) {
            System.arraycopy(a, 0, o, 0, n);
            Float32Functions.apply(op, o, n);
            return;
        }
        switch (op) {
            case NEG: for (int i = 0; i < n; i++) o[i] = -a[i]; break;
            case ABS: for (int i = 0; i < n; i++) o[i] = Math.abs(a[i]); break;
            // (0 < x) - (x < 0), as PyTorch: NaN and -0 give 0 (Math.signum keeps both)
            case SIGN: for (int i = 0; i < n; i++) o[i] = (0 < a[i] ? 1 : 0) - (a[i] < 0 ? 1 : 0); break;
            case EXP: for (int i = 0; i < n; i++) o[i] = Math.exp(a[i]); break;
            case LOG: for (int i = 0; i < n; i++) o[i] = Math.log(a[i]); break;
            case LOG1P: for (int i = 0; i < n; i++) o[i] = Math.log1p(a[i]); break;
            case EXPM1: for (int i = 0; i < n; i++) o[i] = Math.expm1(a[i]); break;
            case SQRT: for (int i = 0; i < n; i++) o[i] = Math.sqrt(a[i]); break;
            case RSQRT: for (int i = 0; i < n; i++) o[i] = 1.0 / Math.sqrt(a[i]); break;
            case RECIPROCAL: for (int i = 0; i < n; i++) o[i] = 1.0 / a[i]; break;
            case SQUARE: for (int i = 0; i < n; i++) o[i] = a[i] * a[i]; break;
            case SIN: for (int i = 0; i < n; i++) o[i] = Math.sin(a[i]); break;
            case COS: for (int i = 0; i < n; i++) o[i] = Math.cos(a[i]); break;
            case ATAN: for (int i = 0; i < n; i++) o[i] = Math.atan(a[i]); break;
            case TANH: for (int i = 0; i < n; i++) o[i] = Math.tanh(a[i]); break;
            case SIGMOID: for (int i = 0; i < n; i++) o[i] = MathFunctions.sigmoid(a[i]); break;
            case RELU: for (int i = 0; i < n; i++) o[i] = Math.max(a[i], 0.0); break;
            case GELU: for (int i = 0; i < n; i++) o[i] = MathFunctions.gelu(a[i]); break;
            case ERF: for (int i = 0; i < n; i++) o[i] = MathFunctions.erf(a[i]); break;
            case GELU_TANH: for (int i = 0; i < n; i++) o[i] = MathFunctions.geluTanh(a[i]); break;
            case SILU: for (int i = 0; i < n; i++) o[i] = MathFunctions.silu(a[i]); break;
            case FLOOR: for (int i = 0; i < n; i++) o[i] = Math.floor(a[i]); break;
            case CEIL: for (int i = 0; i < n; i++) o[i] = Math.ceil(a[i]); break;
            case ROUND: for (int i = 0; i < n; i++) o[i] = Math.rint(a[i]); break;
            default: throw new IllegalArgumentException(op.opName() + ": not defined for float tensors");
        }
    }

    private static void unaryLong(UnaryOp op, long[] a, long[] o, int n) {
        switch (op) {
            case NEG: for (int i = 0; i < n; i++) o[i] = -a[i]; break;
            case ABS: for (int i = 0; i < n; i++) o[i] = Math.abs(a[i]); break;
            case SIGN: for (int i = 0; i < n; i++) o[i] = Long.signum(a[i]); break;
            case SQUARE: for (int i = 0; i < n; i++) o[i] = a[i] * a[i]; break;
            case LOGICAL_NOT: for (int i = 0; i < n; i++) o[i] = a[i] == 0 ? 1 : 0; break;
            default: throw new IllegalArgumentException(op.opName() + ": not defined for int64 or bool tensors");
        }
    }

    static NdArray binary(BinaryOp op, NdArray a, NdArray b) {
        int[] shape = Shape.broadcast(op.opName(), a.shape(), b.shape());
        if (CpuMap.exactLong(a.dtype())) {
            return CpuMap.mapLong(shape, a.dtype(), (in, o, n) -> binaryLong(op, in[0], in[1], o, n), a, b);
        }
        if (a.dtype() == DType.FLOAT32 && b.dtype() == DType.FLOAT32 && Float32Loops.has(op)) {
            NdArray out = CpuMap.emptyArray(shape, DType.FLOAT32); // intoRuns writes every element, or declines
            if (CpuMap.intoRuns(out, (o, oo, in, io, is, n) -> Float32Loops.binary(op, (float[]) o, oo, (float[]) in[0], io[0],
                    is[0], (float[]) in[1], io[1], is[1], n), a, b)) {
                return out;
            }
        }
        boolean float32 = a.dtype() == DType.FLOAT32 || a.dtype().isHalf();   // halves compute in float32, as PyTorch
        return CpuMap.mapDouble(shape, a.dtype(), (in, o, n) -> binaryDouble(op, in[0], in[1], o, n, float32), a, b);
    }

    /** float32: the values are float32's; rounding divisions' quotients to it, as PyTorch's float kernels do. */
    private static void binaryDouble(BinaryOp op, double[] a, double[] b, double[] o, int n, boolean float32) {
        switch (op) {
            case ADD: for (int i = 0; i < n; i++) o[i] = a[i] + b[i]; break;
            case SUB: for (int i = 0; i < n; i++) o[i] = a[i] - b[i]; break;
            case MUL: for (int i = 0; i < n; i++) o[i] = a[i] * b[i]; break;
            case DIV: for (int i = 0; i < n; i++) o[i] = a[i] / b[i]; break;
            case POW: for (int i = 0; i < n; i++) o[i] = Math.pow(a[i], b[i]); break;
            case MAXIMUM: for (int i = 0; i < n; i++) o[i] = Math.max(a[i], b[i]); break;
            case MINIMUM: for (int i = 0; i < n; i++) o[i] = Math.min(a[i], b[i]); break;
            case RELU_BACKWARD: for (int i = 0; i < n; i++) o[i] = b[i] <= 0 ? 0 : a[i]; break;
            case GELU_BACKWARD, GELU_TANH_BACKWARD, SILU_BACKWARD: derivativeTimes(op, a, b, o, n, float32); break;
            case DIV_TRUNC: for (int i = 0; i < n; i++) o[i] = truncate(rounded(a[i] / b[i], float32)); break;
            case DIV_FLOOR: for (int i = 0; i < n; i++) o[i] = divFloor(a[i], b[i], float32); break;
            default: throw new IllegalArgumentException(op.opName() + ": not defined for float tensors");
        }
    }

    /**
     * o = a f'(b), f GELU (exact or tanh) or SiLU as op says: for float32 and 16-bit results by {@link Float32Functions}, as
     * the float32 loops, else to double accuracy.
     */
    private static void derivativeTimes(BinaryOp op, double[] a, double[] b, double[] o, int n, boolean float32) {
        if (float32) {
            System.arraycopy(b, 0, o, 0, n);
            Float32Functions.derivative(op, o, n);
            for (int i = 0; i < n; i++) {
                o[i] *= a[i];
            }
        } else if (op == BinaryOp.SILU_BACKWARD) {
            for (int i = 0; i < n; i++) o[i] = a[i] * MathFunctions.siluDerivative(b[i]);
        } else if (op == BinaryOp.GELU_TANH_BACKWARD) {
            for (int i = 0; i < n; i++) o[i] = a[i] * MathFunctions.geluTanhDerivative(b[i]);
        } else {
            for (int i = 0; i < n; i++) o[i] = a[i] * MathFunctions.geluDerivative(b[i]);
        }
    }

    private static double truncate(double q) {
        return q < 0 ? Math.ceil(q) : Math.floor(q);
    }

    /** x rounded to float32 when float32 (double rounding is exact for one +, -, * or /), else x. */
    private static double rounded(double x, boolean float32) {
        return float32 ? (float) x : x;
    }

    /**
     * PyTorch's div_floor_floating, each step rounded as in the element type: floor of the exact
     * quotient, found from fmod so a quotient that a / b rounds up to an integer is not floored to it;
     * a zero divisor gives a / b (inf or NaN).
     */
    private static double divFloor(double a, double b, boolean float32) {
        if (b == 0) {
            return a / b;
        }
        double mod = a % b; // C's fmod, exact
        double div = rounded(rounded(a - mod, float32) / b, float32);
        if (mod != 0 && (b < 0) != (mod < 0)) {
            div = rounded(div - 1, float32);
        }
        if (div == 0) {
            return Math.copySign(0.0, a / b);
        }
        double floor = Math.floor(div);
        return div - floor > 0.5 ? floor + 1 : floor;
    }

    private static void binaryLong(BinaryOp op, long[] a, long[] b, long[] o, int n) {
        switch (op) {
            case ADD: for (int i = 0; i < n; i++) o[i] = a[i] + b[i]; break;
            case SUB: for (int i = 0; i < n; i++) o[i] = a[i] - b[i]; break;
            case MUL: for (int i = 0; i < n; i++) o[i] = a[i] * b[i]; break;
            case MAXIMUM: for (int i = 0; i < n; i++) o[i] = Math.max(a[i], b[i]); break;
            case MINIMUM: for (int i = 0; i < n; i++) o[i] = Math.min(a[i], b[i]); break;
            // the API has rejected zero divisors; Long.MIN_VALUE / -1 wraps, as Java's / does
            case DIV_TRUNC: for (int i = 0; i < n; i++) o[i] = a[i] / b[i]; break;
            case DIV_FLOOR: for (int i = 0; i < n; i++) o[i] = Math.floorDiv(a[i], b[i]); break;
            case LOGICAL_AND: for (int i = 0; i < n; i++) o[i] = a[i] != 0 && b[i] != 0 ? 1 : 0; break;
            case LOGICAL_OR: for (int i = 0; i < n; i++) o[i] = a[i] != 0 || b[i] != 0 ? 1 : 0; break;
            default: throw new IllegalArgumentException(op.opName() + ": not defined for int64 or bool tensors");
        }
    }

    static NdArray compare(CompareOp op, NdArray a, NdArray b) {
        int[] shape = Shape.broadcast(op.opName(), a.shape(), b.shape());
        if (CpuMap.exactLong(a.dtype())) {
            return CpuMap.mapLong(shape, DType.BOOL, (in, o, n) -> {
                for (int i = 0; i < n; i++) {
                    o[i] = op.test(in[0][i], in[1][i]) ? 1 : 0;
                }
            }, a, b);
        }
        if (a.dtype() == DType.FLOAT32 && b.dtype() == DType.FLOAT32) {
            NdArray out = CpuMap.newArray(shape, DType.BOOL);
            if (CpuMap.intoRuns(out, (o, oo, in, io, is, n) -> Float32Loops.compare(op, (boolean[]) o, oo, (float[]) in[0],
                    io[0], is[0], (float[]) in[1], io[1], is[1], n), a, b)) {
                return out;
            }
        }
        return CpuMap.mapDouble(shape, DType.BOOL, (in, o, n) -> {
            for (int i = 0; i < n; i++) {
                o[i] = op.test(in[0][i], in[1][i]) ? 1 : 0;
            }
        }, a, b);
    }

    static NdArray where(NdArray cond, NdArray a, NdArray b) {
        int[] shape = Shape.broadcast("where", Shape.broadcast("where", cond.shape(), a.shape()), b.shape());
        if (CpuMap.exactLong(a.dtype())) {
            return CpuMap.mapLong(shape, a.dtype(), (in, o, n) -> {
                for (int i = 0; i < n; i++) {
                    o[i] = in[0][i] != 0 ? in[1][i] : in[2][i];
                }
            }, cond, a, b);
        }
        if (a.dtype() == DType.FLOAT32) { // leaky_relu and its gradient, clamp: straight on the arrays
            NdArray out = CpuMap.emptyArray(shape, DType.FLOAT32); // intoRuns writes every element, or declines
            if (CpuMap.intoRuns(out, (o, oo, in, io, is, n) -> Float32Loops.where((float[]) o, oo, (boolean[]) in[0], io[0],
                    is[0], (float[]) in[1], io[1], is[1], (float[]) in[2], io[2], is[2], n), cond, a, b)) {
                return out;
            }
        }
        return CpuMap.mapDouble(shape, a.dtype(), (in, o, n) -> {
            for (int i = 0; i < n; i++) {
                o[i] = in[0][i] != 0 ? in[1][i] : in[2][i];
            }
        }, cond, a, b);
    }

    private static final CpuMap.DoubleKernel COPY_DOUBLE = (in, o, n) -> System.arraycopy(in[0], 0, o, 0, n);
    private static final CpuMap.LongKernel COPY_LONG = (in, o, n) -> System.arraycopy(in[0], 0, o, 0, n);
    private static final CpuMap.RunKernel COPY_FLOAT32 = (o, oo, in, io, is, n) -> Float32Loops.copy((float[]) o, oo, in[0],
            io[0], is[0], n);
    private static final CpuMap.RunKernel WIDEN_FLOAT32 = (o, oo, in, io, is, n) -> Float32Loops.widen((double[]) o, oo,
            (float[]) in[0], io[0], is[0], n);

    /** A 16-bit float to the same dtype: its bits, so NaN payloads and signs survive as in PyTorch's copies. */
    private static final CpuMap.RunKernel COPY_HALF = (o, oo, in, io, is, n) -> {
        short[] dst = (short[]) o;
        short[] src = (short[]) in[0];
        for (int k = 0, at = io[0]; k < n; k++, at += is[0]) {
            dst[oo + k] = src[at];
        }
    };

    /** float32 or bool to float32: what {@link Float32Loops#copy} does. */
    private static boolean float32Copy(NdArray x, DType dtype) {
        return dtype == DType.FLOAT32 && (x.dtype() == DType.FLOAT32 || x.dtype() == DType.BOOL);
    }

    /**
     * Float to int64 truncates toward zero; anything to bool is x != 0 (NaN is true); to bfloat16 or
     * float16 through float, rounding to nearest even. Between 16-bit floats of one dtype the bits are
     * copied where the layouts allow runs; a strided copy goes through float (a NaN's payload lost).
     */
    static NdArray cast(NdArray x, DType dtype) {
        if (float32Copy(x, dtype) || (x.dtype() == DType.FLOAT32 && dtype == DType.FLOAT64)) {
            NdArray out = CpuMap.emptyArray(x.shape(), dtype); // intoRuns writes every element, or declines
            if (CpuMap.intoRuns(out, dtype == DType.FLOAT64 ? WIDEN_FLOAT32 : COPY_FLOAT32, x)) {
                return out;
            }
        }
        if (dtype.isHalf() && x.dtype() == dtype) {
            NdArray out = CpuMap.emptyArray(x.shape(), dtype); // intoRuns writes every element, or declines
            if (CpuMap.intoRuns(out, COPY_HALF, x)) {
                return out;
            }
        }
        boolean viaLong = dtype == DType.INT64 || (dtype == DType.BOOL && !x.dtype().isFloatingPoint());
        return viaLong ? CpuMap.mapLong(x.shape(), dtype, COPY_LONG, x) : CpuMap.mapDouble(x.shape(), dtype, COPY_DOUBLE, x);
    }

    /** A contiguous copy of x. */
    static NdArray contiguous(NdArray x) {
        return cast(x, x.dtype());
    }

    /** x itself when contiguous, else a contiguous copy. */
    static NdArray asContiguous(NdArray x) {
        return x.isContiguous() ? x : contiguous(x);
    }

    static void copyInto(NdArray dst, NdArray src) {
        if (float32Copy(src, dst.dtype()) && CpuMap.intoRuns(dst, COPY_FLOAT32, src)) {
            return;
        }
        if (dst.dtype().isHalf() && src.dtype() == dst.dtype() && CpuMap.intoRuns(dst, COPY_HALF, src)) {
            return;
        }
        if (CpuMap.exactLong(dst.dtype())) {
            CpuMap.into(dst, COPY_LONG, src);
        } else {
            CpuMap.into(dst, COPY_DOUBLE, src);
        }
    }
}
