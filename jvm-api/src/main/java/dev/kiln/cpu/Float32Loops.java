package dev.kiln.cpu;

import dev.kiln.spi.BinaryOp;
import dev.kiln.spi.CompareOp;
import dev.kiln.spi.UnaryOp;
import java.util.Arrays;

/**
 * float32 elementwise loops over the runs of {@link CpuMap#intoRuns}, one loop per operator and
 * operand stride (1, or 0 for a broadcast operand), so each compiles to a tight loop with no scratch
 * rows (and, but for the transcendental operators, no conversion to double). Each gives the bits the double
 * route gives float32 results: +, -, *, /, sqrt are correctly rounded in both (a double holds more than twice
 * a float's precision, so rounding twice changes nothing), the others are exact, the transcendental ones
 * (exp, log) are computed in double per element and rounded once, and erf, GELU, tanh and sigmoid come from
 * {@link Float32Functions} on both routes (within about a float32 unit of the exact value).
 *
 * <p>HotSpot C2 (JDK 17) vectorises a loop only when every array index in it is the loop variable itself
 * (plus a constant): o[oo + i] = a[ao + i] runs ~5x slower than o[i] = a[i]. So the loops index o and
 * its operands by one i, and an operand whose run starts elsewhere in its array than o's run does in
 * o is first copied into o's run, and the op done in place.
 */
final class Float32Loops {
    /** Elements per chunk widened for {@link Float32Functions}. */
    private static final int CHUNK = 1024;
    private static final ThreadLocal<double[]> SCRATCH = ThreadLocal.withInitial(() -> new double[CHUNK]);
    private static final boolean VECTOR = CpuGemm.usesVectorApi();

    private Float32Loops() {
    }

    static boolean has(BinaryOp op) {
        return switch (op) {
            case ADD, SUB, MUL, DIV, MAXIMUM, MINIMUM, RELU_BACKWARD, GELU_BACKWARD, GELU_TANH_BACKWARD, SILU_BACKWARD -> true;
            default -> false;
        };
    }

    static boolean has(UnaryOp op) {
        return switch (op) {
            case NEG, ABS, RELU, SQUARE, SQRT, RECIPROCAL, EXP, LOG, TANH, SIGMOID, GELU, GELU_TANH, ERF, SILU -> true;
            default -> false;
        };
    }

    /** o[oo + i] = op(a[ao + i]) for i &lt; n, or op(a[ao]) everywhere when as is 0. */
    static void unary(UnaryOp op, float[] o, int oo, float[] a, int ao, int as, int n) {
        if (as == 0) {
            unary(op, o, oo, a, ao, 1, 1);
            Arrays.fill(o, oo + 1, oo + n, o[oo]);
            return;
        }
        if (ao != oo) { // line a's run up with o's (see the class comment), then work in place
            System.arraycopy(a, ao, o, oo, n);
            a = o;
        }
        int end = oo + n;
        switch (op) {
            case NEG: for (int i = oo; i < end; i++) o[i] = -a[i]; break;
            case ABS: for (int i = oo; i < end; i++) o[i] = Math.abs(a[i]); break;
            case RELU: for (int i = oo; i < end; i++) o[i] = Math.max(a[i], 0f); break;
            case SQUARE: for (int i = oo; i < end; i++) o[i] = a[i] * a[i]; break;
            case SQRT: for (int i = oo; i < end; i++) o[i] = (float) Math.sqrt(a[i]); break;
            case RECIPROCAL: for (int i = oo; i < end; i++) o[i] = 1f / a[i]; break;
            // computed in double and rounded once, as the double route computes them (without its scratch rows)
            case EXP: for (int i = oo; i < end; i++) o[i] = (float) Math.exp(a[i]); break;
            case LOG: for (int i = oo; i < end; i++) o[i] = (float) Math.log(a[i]); break;
            case TANH, SIGMOID:
                if (VECTOR) { // float32 lanes on the Vector API, as Float32Functions takes them then
                    VectorMath.tanhOrSigmoid(op == UnaryOp.SIGMOID, a, oo, o, oo, n);
                } else {
                    viaFunctions(op, o, a, oo, n);
                }
                break;
            case SILU:
                if (VECTOR) { // float32 lanes: the same bits as Float32Functions' sigmoid lanes and product
                    VectorMath.silu(a, oo, o, oo, n);
                } else {
                    viaFunctions(op, o, a, oo, n);
                }
                break;
            case GELU, ERF: viaFunctions(op, o, a, oo, n); break;
            case GELU_TANH: for (int i = oo; i < end; i++) o[i] = (float) MathFunctions.geluTanh(a[i]); break;
            default: throw new IllegalArgumentException(op.opName() + ": no float32 loop");
        }
    }

    /** o[oo, oo + n) = op(a[oo, oo + n)) by {@link Float32Functions}, in chunks of double scratch. */
    private static void viaFunctions(UnaryOp op, float[] o, float[] a, int oo, int n) {
        double[] chunk = SCRATCH.get();
        for (int at = oo; at < oo + n; at += CHUNK) {
            int len = Math.min(CHUNK, oo + n - at);
            DoubleBlocks.read(a, at, 1, 0, len, 1, chunk, 0);
            Float32Functions.apply(op, chunk, len);
            DoubleBlocks.write(chunk, 0, 1, len, o, at, 0);
        }
    }

    /** o[oo + i] = a[ao + i * as] op b[bo + i * bs] for i &lt; n. */
    /** o = c ? a : b over a run; each input contiguous (stride 1) or broadcast (stride 0). */
    static void where(float[] o, int oo, boolean[] c, int co, int cs, float[] a, int ao, int as, float[] b, int bo, int bs,
                      int n) {
        for (int i = 0; i < n; i++) {
            o[oo + i] = c[co + i * cs] ? a[ao + i * as] : b[bo + i * bs];
        }
    }

    static void binary(BinaryOp op, float[] o, int oo, float[] a, int ao, int as, float[] b, int bo, int bs, int n) {
        int end = oo + n;
        if (op == BinaryOp.SILU_BACKWARD && VECTOR && as == 1 && bs == 1) { // float32 lanes, Float32Functions' bits
            VectorMath.siluBackward(a, ao, b, bo, o, oo, n);
        } else if (op == BinaryOp.GELU_BACKWARD || op == BinaryOp.GELU_TANH_BACKWARD || op == BinaryOp.SILU_BACKWARD) {
            derivativeTimes(op, o, oo, a, ao, as, b, bo, bs, n);
        } else if (as == 0 && bs == 0) {
            o[oo] = apply(op, a[ao], b[bo]);
            Arrays.fill(o, oo + 1, end, o[oo]);
        } else if (bs == 0) {
            float y = b[bo];
            if (ao != oo) { // line a's run up with o's, then work in place
                System.arraycopy(a, ao, o, oo, n);
                a = o;
            }
            switch (op) {
                case ADD: for (int i = oo; i < end; i++) o[i] = a[i] + y; break;
                case SUB: for (int i = oo; i < end; i++) o[i] = a[i] - y; break;
                case MUL: for (int i = oo; i < end; i++) o[i] = a[i] * y; break;
                case DIV: for (int i = oo; i < end; i++) o[i] = a[i] / y; break;
                case MAXIMUM: for (int i = oo; i < end; i++) o[i] = Math.max(a[i], y); break;
                case MINIMUM: for (int i = oo; i < end; i++) o[i] = Math.min(a[i], y); break;
                case RELU_BACKWARD: for (int i = oo; i < end; i++) o[i] = y <= 0f ? 0f : a[i]; break;
                default: throw new IllegalArgumentException(op.opName() + ": no float32 loop");
            }
        } else if (as == 0) {
            float x = a[ao];
            if (bo != oo) {
                System.arraycopy(b, bo, o, oo, n);
                b = o;
            }
            switch (op) {
                case ADD: for (int i = oo; i < end; i++) o[i] = x + b[i]; break;
                case SUB: for (int i = oo; i < end; i++) o[i] = x - b[i]; break;
                case MUL: for (int i = oo; i < end; i++) o[i] = x * b[i]; break;
                case DIV: for (int i = oo; i < end; i++) o[i] = x / b[i]; break;
                case MAXIMUM: for (int i = oo; i < end; i++) o[i] = Math.max(x, b[i]); break;
                case MINIMUM: for (int i = oo; i < end; i++) o[i] = Math.min(x, b[i]); break;
                case RELU_BACKWARD: for (int i = oo; i < end; i++) o[i] = select(x, b[i]); break;
                default: throw new IllegalArgumentException(op.opName() + ": no float32 loop");
            }
        } else if (ao != oo && bo != oo) { // neither run lines up with o's: element by element
            for (int i = 0; i < n; i++) {
                o[oo + i] = apply(op, a[ao + i], b[bo + i]);
            }
        } else {
            if (ao != oo) {
                System.arraycopy(a, ao, o, oo, n);
                a = o;
            } else if (bo != oo) {
                System.arraycopy(b, bo, o, oo, n);
                b = o;
            }
            switch (op) {
                case ADD: for (int i = oo; i < end; i++) o[i] = a[i] + b[i]; break;
                case SUB: for (int i = oo; i < end; i++) o[i] = a[i] - b[i]; break;
                case MUL: for (int i = oo; i < end; i++) o[i] = a[i] * b[i]; break;
                case DIV: for (int i = oo; i < end; i++) o[i] = a[i] / b[i]; break;
                case MAXIMUM: for (int i = oo; i < end; i++) o[i] = Math.max(a[i], b[i]); break;
                case MINIMUM: for (int i = oo; i < end; i++) o[i] = Math.min(a[i], b[i]); break;
                case RELU_BACKWARD: for (int i = oo; i < end; i++) o[i] = select(a[i], b[i]); break;
                default: throw new IllegalArgumentException(op.opName() + ": no float32 loop");
            }
        }
    }

    /**
     * o[oo + i] = a[ao + i * as] f'(b[bo + i * bs]) for i &lt; n, f GELU (GELU_BACKWARD, GELU_TANH_BACKWARD) or SiLU
     * (SILU_BACKWARD), the derivative by {@link Float32Functions} in chunks.
     */
    private static void derivativeTimes(BinaryOp op, float[] o, int oo, float[] a, int ao, int as, float[] b, int bo,
                                        int bs, int n) {
        double[] chunk = SCRATCH.get();
        for (int at = 0; at < n; at += CHUNK) {
            int len = Math.min(CHUNK, n - at);
            DoubleBlocks.read(b, bo + at * bs, 1, 0, len, bs, chunk, 0);
            Float32Functions.derivative(op, chunk, len);
            for (int i = 0; i < len; i++) {
                o[oo + at + i] = (float) (a[ao + (at + i) * as] * chunk[i]);
            }
        }
    }

    /** x op y for one pair. */
    private static float apply(BinaryOp op, float x, float y) {
        return switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> x / y;
            case MAXIMUM -> Math.max(x, y);
            case MINIMUM -> Math.min(x, y);
            case RELU_BACKWARD -> select(x, y);
            default -> throw new IllegalArgumentException(op.opName() + ": no float32 loop");
        };
    }

    /**
     * RELU_BACKWARD's x where y > 0 (or y is NaN), else +0, through an int mask: C2 compiles a float
     * select to a branch, and whether a ReLU output is positive is a coin flip (~8x slower).
     */
    private static float select(float x, float y) {
        int keep = y <= 0f ? 0 : -1;
        return Float.intBitsToFloat(Float.floatToRawIntBits(x) & keep);
    }

    /** o[oo + i] = a[ao + i * as] op b[bo + i * bs] for i &lt; n; comparing floats is comparing them as doubles. */
    static void compare(CompareOp op, boolean[] o, int oo, float[] a, int ao, int as, float[] b, int bo, int bs, int n) {
        if (bs == 0 && as == 1) {
            float y = b[bo];
            switch (op) {
                case EQ: for (int i = 0; i < n; i++) o[oo + i] = a[ao + i] == y; break;
                case NE: for (int i = 0; i < n; i++) o[oo + i] = a[ao + i] != y; break;
                case LT: for (int i = 0; i < n; i++) o[oo + i] = a[ao + i] < y; break;
                case LE: for (int i = 0; i < n; i++) o[oo + i] = a[ao + i] <= y; break;
                case GT: for (int i = 0; i < n; i++) o[oo + i] = a[ao + i] > y; break;
                default: for (int i = 0; i < n; i++) o[oo + i] = a[ao + i] >= y; break;
            }
            return;
        }
        for (int i = 0; i < n; i++) {
            o[oo + i] = op.test(a[ao + i * as], b[bo + i * bs]);
        }
    }

    /** o[oo + i] = src[so + i * ss] as float32, src a float[] or a boolean[] (true is 1). */
    static void copy(float[] o, int oo, Object src, int so, int ss, int n) {
        if (src instanceof float[] a) {
            if (ss == 1) {
                System.arraycopy(a, so, o, oo, n);
            } else {
                Arrays.fill(o, oo, oo + n, a[so]);
            }
        } else {
            boolean[] a = (boolean[]) src;
            if (ss == 1) {
                for (int i = 0; i < n; i++) {
                    // through an int: C2 compiles this without a branch (a float select branches, and
                    // ReLU masks are coin flips, 7x slower on the EPYC)
                    int bit = a[so + i] ? 1 : 0;
                    o[oo + i] = bit;
                }
            } else {
                Arrays.fill(o, oo, oo + n, a[so] ? 1f : 0f);
            }
        }
    }

    /** o[oo + i] = a[ao + i * as] widened to float64 (exactly) for i &lt; n. */
    static void widen(double[] o, int oo, float[] a, int ao, int as, int n) {
        if (as == 0) {
            Arrays.fill(o, oo, oo + n, a[ao]);
        } else {
            for (int i = 0; i < n; i++) o[oo + i] = a[ao + i];
        }
    }
}
