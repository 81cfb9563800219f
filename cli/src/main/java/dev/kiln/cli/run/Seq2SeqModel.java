package dev.kiln.cli.run;

import dev.kiln.DType;
import dev.kiln.Tensor;
import dev.kiln.nn.Module;

/** An encoder-decoder of `kiln run seq2seq` over {@link DateBatch}es: {@link AttentionGru} or {@link DateTransformer}. */
abstract class Seq2SeqModel extends Module {
    /** Greedy decoding's result: tokens (B, T) int64 and the cross-attention over the source (B, T, S), rows sum to 1. */
    record Decoded(Tensor tokens, Tensor attention) {
    }

    /** Teacher forcing: the logits (B, T, target vocabulary) of each step, fed the batch's input. */
    abstract Tensor forward(DateBatch b);

    /** Greedy decoding of the batch's sources for DateBatch.TARGET_STEPS steps, from BOS (the targets are not read). */
    abstract Decoded greedy(DateBatch b);

    /** 0 at real source characters, -inf at padding: (B, S), added to attention scores before their softmax. */
    static Tensor additiveMask(Tensor padding, DType dtype) {
        Tensor zero = Tensor.zeros(new int[0], dtype, padding.device());
        Tensor negInf = Tensor.full(new int[0], Double.NEGATIVE_INFINITY, dtype, padding.device());
        return Tensor.where(padding, negInf, zero);
    }
}
