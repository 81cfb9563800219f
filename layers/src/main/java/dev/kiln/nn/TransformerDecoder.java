package dev.kiln.nn;

import dev.kiln.Tensor;
import java.util.function.Supplier;

/**
 * A stack of decoder layers with an optional final LayerNorm, as {@code torch.nn.TransformerDecoder}
 * (members "layers.0", ..., "norm"). PyTorch deep-copies one layer; here {@code layer} makes each.
 */
public final class TransformerDecoder extends Module {
    private final ModuleList<TransformerDecoderLayer> layers = new ModuleList<>();
    private final LayerNorm norm;

    /** {@code norm} may be null (no final norm). */
    public TransformerDecoder(Supplier<TransformerDecoderLayer> layer, int numLayers, LayerNorm norm) {
        if (numLayers < 1) {
            throw new IllegalArgumentException("TransformerDecoder: num_layers must be >= 1, got " + numLayers);
        }
        registerModule("layers", layers);
        for (int i = 0; i < numLayers; i++) {
            layers.add(layer.get());
        }
        this.norm = norm == null ? null : registerModule("norm", norm);
    }

    /** Every layer sees the same memory and masks, as {@link TransformerDecoderLayer#forward} documents them. */
    public Tensor forward(Tensor tgt, Tensor memory, Tensor tgtMask, Tensor memoryMask, Tensor tgtKeyPaddingMask,
                          Tensor memoryKeyPaddingMask) {
        Tensor x = tgt;
        for (TransformerDecoderLayer l : layers) {
            x = l.forward(x, memory, tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask, false);
        }
        return norm == null ? x : norm.forward(x);
    }
}
