package dev.kiln.property;

import dev.kiln.DType;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** jqwik generators: shapes of rank 0-4 with sizes 0-5, chains of up to 3 view steps, seeds for values. */
final class TensorArbitraries {
    private TensorArbitraries() {
    }

    static Arbitrary<int[]> shapes(int minRank, int maxRank, int minSize, int maxSize) {
        return Arbitraries.integers().between(minSize, maxSize).list().ofMinSize(minRank).ofMaxSize(maxRank)
                .map(l -> l.stream().mapToInt(Integer::intValue).toArray());
    }

    static Arbitrary<ViewStep> steps() {
        Arbitrary<Integer> p = Arbitraries.integers().between(0, 999);
        return Combinators.combine(Arbitraries.of(ViewStep.Kind.class), p, p, p).as(ViewStep::new);
    }

    static Arbitrary<DType> floatTypes() {
        return Arbitraries.of(DType.FLOAT32, DType.FLOAT64);
    }

    /** A float32 or float64 tensor of random shape seen through random views. */
    static Arbitrary<Viewed> views(Viewed.Values values) {
        return views(floatTypes(), shapes(0, 4, 0, 5), values);
    }

    static Arbitrary<Viewed> views(Arbitrary<DType> dtypes, Arbitrary<int[]> baseShapes, Viewed.Values values) {
        return Combinators.combine(dtypes, baseShapes, steps().list().ofMaxSize(3), Arbitraries.longs())
                .as((dtype, shape, steps, seed) -> Viewed.of(dtype, shape, steps, seed, values));
    }

    /**
     * A shape that broadcasts with {@code shape}: some trailing dims kept or set to 1, and sometimes
     * extra leading dims so that {@code shape} is the one broadcast.
     */
    static int[] broadcastPartner(int[] shape, long seed) {
        Random rnd = new Random(seed);
        int keep = rnd.nextInt(shape.length + 1);
        int extra = keep == shape.length && shape.length < ViewStep.MAX_RANK && rnd.nextInt(3) == 0 ? 1 : 0;
        int[] out = new int[keep + extra];
        if (extra == 1) {
            out[0] = 2; // one size for every partner, so partners of one shape also broadcast together
        }
        for (int i = 0; i < keep; i++) {
            int s = shape[shape.length - keep + i];
            out[extra + i] = rnd.nextInt(3) == 0 ? 1 : s;
        }
        return out;
    }
}
