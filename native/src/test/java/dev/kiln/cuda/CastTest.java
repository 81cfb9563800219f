package dev.kiln.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Tensor;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Casts between every pair of dtypes give the CPU backend's values bit for bit, from strided views. */
class CastTest {
    static Stream<Arguments> targetsAndPairs() {
        return Target.all().flatMap(t -> Stream.of(DType.values()).flatMap(from -> Stream.of(DType.values())
                .map(to -> Arguments.of(t, from, to))));
    }

    /** Values at the edges of every conversion: NaN, infinities, -0, halves, beyond long and 2^53 + 1. */
    private static Tensor edgeValues(DType dtype) {
        double[] d = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 0.5, -2.7, 1e30, -1e30,
            9.3e18, -9.3e18, 3, 0, 1, 16777217, 1e-40, 65};
        long[] l = {Long.MAX_VALUE, Long.MIN_VALUE, (1L << 53) + 1, (1L << 24) + 1, -3, 0, 1, 2, -1, 7, 1L << 62,
            -(1L << 40) - 1, 5, 0, 9, 65};
        return switch (dtype) {
            case INT64 -> Tensor.fromArray(l, 4, 4);
            case BOOL -> Tensor.fromArray(l, 4, 4).ne(Tensor.zeros(new int[] {4, 4}, DType.INT64, Device.CPU));
            default -> Tensor.fromArray(d, 4, 4).to(dtype);
        };
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @MethodSource("targetsAndPairs")
    void castOfAStridedViewMatchesTheCpu(Target target, DType from, DType to) {
        Device dev = target.use();
        Both x = Both.of(edgeValues(from), dev).view(t -> t.transpose(0, 1).narrow(0, 1, 3));
        Tensor want = x.cpu().to(to);
        Tensor got = x.dev().to(to).to(Device.CPU);
        assertEquals(to, got.dtype());
        assertEquals(Arrays.toString(want.shape()), Arrays.toString(got.shape()));
        assertEquals(values(want), values(got), from + " -> " + to);
    }

    /** Every value as Java prints it (so -0.0 and NaN count). */
    private static String values(Tensor t) {
        return switch (t.dtype()) {
            case FLOAT32 -> Arrays.toString(t.toFloatArray());
            case FLOAT64 -> Arrays.toString(t.toDoubleArray());
            case INT64 -> Arrays.toString(t.toLongArray());
            case BFLOAT16, FLOAT16 -> Arrays.toString(t.toFloatArray());
            default -> Arrays.toString(t.toBooleanArray());
        };
    }
}
