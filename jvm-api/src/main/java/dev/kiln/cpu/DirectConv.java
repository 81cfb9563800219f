package dev.kiln.cpu;

/**
 * Which float32 convolutions {@link DirectConvF32Vector} computes: kept apart from it, as that class
 * needs the Vector API's module to load.
 */
final class DirectConv {
    /**
     * How far the direct kernels go, per vector width; past these the GEMM through im2col wins. out and taps bound the
     * forward and input gradient (output channels per group, channels x taps per output element), weightOut and
     * weightTaps the weight gradient at stride 1, stridedWeightOut at larger strides.
     */
    private record Limits(int out, int taps, int weightOut, int weightTaps, int stridedWeightOut) {
    }

    /**
     * 512-bit vectors, measured on the Zen 5 EPYC (AVX-512, 2 cores; batch 64, 3x3 pad 1, GFLOP/s direct / GEMM): the
     * forward and input gradient win at every shape up to 256 -> 256 channels (on 14x14 307 / 185 and 305 / 209; on
     * 7x7 225 / 64), the weight gradient up to 128 -> 128 (64 -> 64 on 7x7 140 / 49, on 56x56 198 / 71; 128 -> 128 on
     * 14x14 170 / 160) but not at 256 (on 7x7 125 / 199), strided ones up to 64 (32 -> 64 on 14x14 89 / 47).
     */
    private static final Limits WIDE = new Limits(256, 2304, 128, 1152, 64);
    /**
     * 256-bit vectors, where the GEMM's tiles are smaller: measured on the AVX2 EPYC (batch 64, 3x3 pad 1), 64 -> 64
     * channels on 7x7 and 32 -> 64 on 14x14 ran 1.3-2x faster directly, but for the weight gradient only the second
     * (576 taps: 1.3x slower); strided weight gradients of 32 -> 64 on 14x14 ran 1.15x slower (16 -> 32 on 28x28 1.4x
     * faster).
     */
    private static final Limits NARROW = new Limits(64, 1024, 64, 512, 32);
    /** Fewest input channels per group whose input gradient is taken directly. */
    private static final int MIN_IN = 4;

    private DirectConv() {
    }

    /**
     * Whether the forward pass of g runs directly: the Vector API in use, within the limits, stride 1 or a strided
     * kernel wider than 1x1 (on phase planes: ResNet-small's 3x3 stride-2 convolutions, batch 64, 16 -> 32 channels on
     * 28x28 and 32 -> 64 on 14x14, ran 1.35x and 1.06x faster than through im2col on the AVX2 EPYC).
     */
    static boolean suitsForward(ConvGeometry g) {
        return (direct(g) || strided(g)) && g.colRows() <= limits().taps() && g.og() <= limits().out();
    }

    /** Whether the weight gradient of g runs directly: the Vector API in use, within the weight gradient's limits. */
    static boolean suitsBackwardWeight(ConvGeometry g) {
        return (direct(g) && g.og() <= limits().weightOut() || strided(g) && g.og() <= limits().stridedWeightOut())
                && g.colRows() <= limits().weightTaps();
    }

    /**
     * Whether the input gradient of g runs directly: within the forward's limits with gy's channels in and the input's
     * out, with at least MIN_IN input channels per group (its outputs: fewer leave most of a register block idle, and
     * the GEMM measured faster for 1 -> 16 and 1 -> 32 channels); at stride 1 (as the forward, on gy padded by the
     * kernel's reach less the padding) with padding of at most the kernel's reach, at larger strides by phases (any
     * padding; see {@link StridedInputGradF32Vector}).
     */
    static boolean suitsBackwardInput(ConvGeometry g) {
        if (strided(g)) {
            return inputGradientWithin(g);
        }
        return direct(g) && suitsForward(g) && inputGradientWithin(g)
                && g.p().padH() <= (g.kh() - 1) * g.p().dilationH() && g.p().padW() <= (g.kw() - 1) * g.p().dilationW();
    }

    /** gy's channels x taps and the input's channels within the limits (read once the Vector API is known in use). */
    private static boolean inputGradientWithin(ConvGeometry g) {
        return g.og() * g.kh() * g.kw() <= limits().taps() && g.cg() >= MIN_IN && g.cg() <= limits().out();
    }

    /** The Vector API in use, stride 1, a kernel wider than 1x1. */
    private static boolean direct(ConvGeometry g) {
        return CpuGemm.usesVectorApi() && g.p().strideH() == 1 && g.p().strideW() == 1 && !g.pointwise();
    }

    /** The Vector API in use, a stride above 1, a kernel wider than 1x1 (1x1 shortcuts keep their own path). */
    private static boolean strided(ConvGeometry g) {
        return CpuGemm.usesVectorApi() && (g.p().strideH() > 1 || g.p().strideW() > 1) && g.kh() * g.kw() > 1;
    }

    /** Read only once the Vector API is in use: the kernel class needs its module. */
    private static Limits limits() {
        return DirectConvF32Vector.WIDE ? WIDE : NARROW;
    }
}
