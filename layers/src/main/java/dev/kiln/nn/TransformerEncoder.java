package dev.kiln.nn;

import dev.kiln.Tensor;
import java.util.function.Supplier;

/**
 * A stack of encoder layers with an optional final LayerNorm, as {@code torch.nn.TransformerEncoder}
 * (members "layers.0", ..., "norm"). PyTorch deep-copies one layer; here {@code layer} makes each.
 */
public final class TransformerEncoder extends Layer {
    private final ModuleList<TransformerEncoderLayer> layers = new ModuleList<>();
    private final LayerNorm norm;

    /** {@code norm} may be null (no final norm). */
    public TransformerEncoder(Supplier<TransformerEncoderLayer> layer, int numLayers, LayerNorm norm) {
        if (numLayers < 1) {
            throw new IllegalArgumentException("TransformerEncoder: num_layers must be >= 1, got " + numLayers);
        }
        registerModule("layers", layers);
        for (int i = 0; i < numLayers; i++) {
            layers.add(layer.get());
        }
        this.norm = norm == null ? null : registerModule("norm", norm);
    }

    @Override
    public Tensor forward(Tensor src) {
        return forward(src, null, null);
    }

    /** mask (S, S) or (N * nhead, S, S), srcKeyPaddingMask (N, S) ((S) unbatched), as the layer's. */
    public Tensor forward(Tensor src, Tensor mask, Tensor srcKeyPaddingMask) {
        return forward(src, mask, srcKeyPaddingMask, false);
    }

    /** As above; {@code causal} also hides later positions in every layer (no (S, S) mask needed). */
    public Tensor forward(Tensor src, Tensor mask, Tensor srcKeyPaddingMask, boolean causal) {
        Tensor x = src;
        for (TransformerEncoderLayer l : layers) {
            x = l.forward(x, mask, srcKeyPaddingMask, causal);
        }
        return norm == null ? x : norm.forward(x);
    }
}
