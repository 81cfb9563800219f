package dev.kiln.nn;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Generator;
import dev.kiln.Shape;
import dev.kiln.Tensor;

/**
 * Encoder-decoder transformer, as {@code torch.nn.Transformer}: an encoder stack and a decoder stack,
 * each ending in a LayerNorm (members "encoder.layers.0...", "encoder.norm", "decoder..."), every
 * parameter with more than one dim re-drawn xavier-uniform. src (S, N, E) and tgt (T, N, E), batch
 * first (N, S, E) and (N, T, E), or unbatched (S, E) and (T, E); the output is shaped like tgt.
 */
public final class Transformer extends Module {
    private final int dModel;
    private final boolean batchFirst;
    private final TransformerEncoder encoder;
    private final TransformerDecoder decoder;

    public Transformer(int dModel, int nhead, int numEncoderLayers, int numDecoderLayers, int dimFeedforward, double dropout,
                       String activation, double layerNormEps, boolean batchFirst, boolean normFirst, Generator g) {
        this.dModel = dModel;
        this.batchFirst = batchFirst;
        this.encoder = registerModule("encoder", new TransformerEncoder(() -> new TransformerEncoderLayer(dModel, nhead,
                dimFeedforward, dropout, activation, layerNormEps, batchFirst, normFirst, g), numEncoderLayers,
                new LayerNorm(new int[] {dModel}, layerNormEps, true)));
        this.decoder = registerModule("decoder", new TransformerDecoder(() -> new TransformerDecoderLayer(dModel, nhead,
                dimFeedforward, dropout, activation, layerNormEps, batchFirst, normFirst, g), numDecoderLayers,
                new LayerNorm(new int[] {dModel}, layerNormEps, true)));
        for (Parameter p : parameters()) {
            if (p.shape().length > 1) {
                Init.xavierUniform(p.data(), 1, g);
            }
        }
    }

    public TransformerEncoder encoder() {
        return encoder;
    }

    public TransformerDecoder decoder() {
        return decoder;
    }

    public Tensor forward(Tensor src, Tensor tgt) {
        return forward(src, tgt, null, null, null, null, null, null);
    }

    /**
     * As PyTorch's forward: srcMask (S, S), tgtMask (T, T), memoryMask (T, S) (or 3-D, N * nhead first),
     * bool (true = masked) or float (added to the scores); key-padding masks (N, S), (N, T), (N, S)
     * ((S), (T), (S) unbatched). Any mask may be null.
     */
    public Tensor forward(Tensor src, Tensor tgt, Tensor srcMask, Tensor tgtMask, Tensor memoryMask, Tensor srcKeyPaddingMask,
                          Tensor tgtKeyPaddingMask, Tensor memoryKeyPaddingMask) {
        if (src.dim() != tgt.dim() || (src.dim() != 2 && src.dim() != 3)) {
            throw new IllegalArgumentException("Transformer: src and tgt must both be batched (3-D) or both unbatched (2-D); got src "
                    + Shape.str(src.shape()) + " and tgt " + Shape.str(tgt.shape()));
        }
        int batchDim = batchFirst ? 0 : 1;
        if (src.dim() == 3 && src.size(batchDim) != tgt.size(batchDim)) {
            throw new IllegalArgumentException("Transformer: the batch number of src and tgt must be equal; got src "
                    + Shape.str(src.shape()) + " and tgt " + Shape.str(tgt.shape()) + (batchFirst ? " (batch first)" : ""));
        }
        if (src.size(-1) != dModel || tgt.size(-1) != dModel) {
            throw new IllegalArgumentException("Transformer: the feature number of src and tgt must be equal to d_model "
                    + dModel + "; got src " + Shape.str(src.shape()) + " and tgt " + Shape.str(tgt.shape()));
        }
        Tensor memory = encoder.forward(src, srcMask, srcKeyPaddingMask);
        return decoder.forward(tgt, memory, tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask);
    }

    /** Float (sz, sz) on {@code device}: -inf above the diagonal, 0 elsewhere, as PyTorch's static method. */
    public static Tensor generateSquareSubsequentMask(int sz, DType dtype, Device device) {
        return Tensor.where(AttentionMask.causal(sz, sz, device), Tensor.full(new int[0], Double.NEGATIVE_INFINITY, dtype, device),
                Tensor.zeros(new int[0], dtype, device));
    }

    /** float32 on the CPU. */
    public static Tensor generateSquareSubsequentMask(int sz) {
        return generateSquareSubsequentMask(sz, DType.FLOAT32, Device.CPU);
    }

    @Override
    public String toString() {
        return "Transformer(d_model=" + dModel + ", batch_first=" + batchFirst + ")";
    }
}
