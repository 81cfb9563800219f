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
    /** Fewest input channels per group whose input gradient is taken directly. */
    private static final int MIN_IN = 4;

    private DirectConv() {
    }

    /** Whether the forward pass of g runs directly: the Vector API in use, stride 1, few channels. */
    static boolean suitsForward(ConvGeometry g) {
        return CpuGemm.usesVectorApi() && g.p().strideH() == 1 && g.p().strideW() == 1 && !g.pointwise()
                && g.colRows() <= MAX_TAPS && g.og() <= MAX_OUT;
    }

    /** Whether the weight gradient of g runs directly: as the forward. */
    static boolean suitsBackwardWeight(ConvGeometry g) {
        return suitsForward(g);
    }

    /**
     * Whether the input gradient of g runs directly: as the forward, with padding of at most the kernel's
     * reach, and at least MIN_IN input channels per group (its outputs: fewer leave most of a register
     * block idle, and the GEMM measured faster for 1 -> 16 and 1 -> 32 channels).
     */
    static boolean suitsBackwardInput(ConvGeometry g) {
        return suitsForward(g) && g.og() * g.kh() * g.kw() <= MAX_TAPS && g.cg() >= MIN_IN && g.cg() <= MAX_OUT
                && g.p().padH() <= (g.kh() - 1) * g.p().dilationH() && g.p().padW() <= (g.kw() - 1) * g.p().dilationW();
    }
}
