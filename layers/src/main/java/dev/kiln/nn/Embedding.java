package dev.kiln.nn;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Functional;
import dev.kiln.Generator;
import dev.kiln.GradMode;
import dev.kiln.Tensor;

/**
 * A lookup table, as {@code torch.nn.Embedding}: int64 indices (...) -> (..., dim); weights N(0, 1).
 * The padding row starts at zero and receives no gradient, so it stays what it is.
 */
public final class Embedding extends Layer {
    private final int numEmbeddings;
    private final int embeddingDim;
    private final Integer paddingIdx;
    private final Parameter weight; // (num, dim)

    /** {@code paddingIdx} null for none; negative counts from the end, as PyTorch. */
    public Embedding(int numEmbeddings, int embeddingDim, Integer paddingIdx, Generator g) {
        if (paddingIdx != null && (paddingIdx >= numEmbeddings || paddingIdx < -numEmbeddings)) {
            throw new IllegalArgumentException("Embedding: padding_idx " + paddingIdx + " must be within num_embeddings "
                    + numEmbeddings);
        }
        this.numEmbeddings = numEmbeddings;
        this.embeddingDim = embeddingDim;
        this.paddingIdx = paddingIdx == null ? null : Math.floorMod(paddingIdx, numEmbeddings);
        this.weight = registerParameter("weight", Tensor.zeros(new int[] {numEmbeddings, embeddingDim}, DType.FLOAT32, Device.CPU));
        Init.normal(weight.data(), 0, 1, g);
        if (this.paddingIdx != null) {
            try (var scope = GradMode.noGrad()) {
                weight.data().select(0, this.paddingIdx).fill_(0);
            }
        }
    }

    /** The weight tensor (its {@link Parameter}'s leaf, null when the layer has none), as torch's module.weight. */
    public Tensor weight() {
        return weight == null ? null : weight.data();
    }

    @Override
    public Tensor forward(Tensor indices) {
        Tensor w = weight.data();
        if (paddingIdx != null) {
            // the padding row is read through a detached copy, so no gradient reaches it
            Tensor rows = Tensor.arange(0, numEmbeddings, 1, DType.INT64, w.device());
            Tensor isPad = rows.eq(paddingIdx).reshape(numEmbeddings, 1); // (num, 1)
            w = Tensor.where(isPad, w.detach(), w);
        }
        return Functional.embedding(indices, w);
    }

    @Override
    public String toString() {
        return "Embedding(" + numEmbeddings + ", " + embeddingDim + (paddingIdx == null ? "" : ", padding_idx=" + paddingIdx) + ")";
    }
}
