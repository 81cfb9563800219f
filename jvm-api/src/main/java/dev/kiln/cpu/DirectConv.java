package dev.kiln.cpu;

/**
 * Which float32 convolutions {@link DirectConvF32Vector} computes: kept apart from it, as that class
 * needs the Vector API's module to load.
 */
final class DirectConv {
    /** Most multiply-adds per output element (channels x taps) taken directly; more and the GEMM wins. */
    private static final int MAX_TAPS = 512;
    /** Most output channels per group taken directly. */
    private static final int MAX_OUT = 32;
    /**
     * The limits with 256-bit vectors, where the GEMM's tiles are smaller: measured on the AVX2 EPYC (batch 64, 3x3
     * pad 1), 64 -> 64 channels on 7x7 and 32 -> 64 on 14x14 ran 1.3-2x faster directly, but for the weight gradient
     * only the second (576 taps: 1.3x slower), so weight gradients keep MAX_TAPS.
     */
    private static final int MAX_TAPS_256 = 1024;
    private static final int MAX_OUT_256 = 64;
    /** Fewest input channels per group whose input gradient is taken directly. */
    private static final int MIN_IN = 4;

    private DirectConv() {
    }

    /**
     * Whether the forward pass of g runs directly: the Vector API in use, few channels, stride 1 or a strided kernel
     * wider than 1x1 (on phase planes: ResNet-small's 3x3 stride-2 convolutions, batch 64, 16 -> 32 channels on 28x28
     * and 32 -> 64 on 14x14, ran 1.35x and 1.06x faster than through im2col).
     */
    static boolean suitsForward(ConvGeometry g) {
        return (direct(g) || strided(g)) && g.colRows() <= maxTaps() && g.og() <= maxOut();
    }

    /**
     * Whether the weight gradient of g runs directly: as the forward, with at most MAX_TAPS taps at any width, and
     * strided ones with at most MAX_OUT channels (32 -> 64 on 14x14, stride 2, ran 1.15x slower than through im2col;
     * 16 -> 32 on 28x28 1.4x faster).
     */
    static boolean suitsBackwardWeight(ConvGeometry g) {
        return (direct(g) && g.og() <= maxOut() || strided(g) && g.og() <= MAX_OUT) && g.colRows() <= MAX_TAPS;
    }

    /**
     * Whether the input gradient of g runs directly: as the forward with stride 1, with padding of at most the kernel's
     * reach, and at least MIN_IN input channels per group (its outputs: fewer leave most of a register
     * block idle, and the GEMM measured faster for 1 -> 16 and 1 -> 32 channels).
     */
    static boolean suitsBackwardInput(ConvGeometry g) {
        return direct(g) && suitsForward(g) && g.og() * g.kh() * g.kw() <= maxTaps() && g.cg() >= MIN_IN && g.cg() <= maxOut()
                && g.p().padH() <= (g.kh() - 1) * g.p().dilationH() && g.p().padW() <= (g.kw() - 1) * g.p().dilationW();
    }

    /** The Vector API in use, stride 1, a kernel wider than 1x1. */
    private static boolean direct(ConvGeometry g) {
        return CpuGemm.usesVectorApi() && g.p().strideH() == 1 && g.p().strideW() == 1 && !g.pointwise();
    }

    /** The Vector API in use, a stride above 1, a kernel wider than 1x1 (1x1 shortcuts keep their own path). */
    private static boolean strided(ConvGeometry g) {
        return CpuGemm.usesVectorApi() && (g.p().strideH() > 1 || g.p().strideW() > 1) && g.kh() * g.kw() > 1;
    }

    /** Read only once direct(g) holds: the kernel class needs the Vector API's module. */
    private static int maxTaps() {
        return DirectConvF32Vector.WIDE ? MAX_TAPS : MAX_TAPS_256;
    }

    private static int maxOut() {
        return DirectConvF32Vector.WIDE ? MAX_OUT : MAX_OUT_256;
    }
}
