package dev.kiln.cli.run;

import dev.kiln.Tensor;
import dev.kiln.nn.Module;
import dev.kiln.nn.Recurrent;

/**
 * A character language model of `kiln run charlm`: byte ids in, the next byte's logits out at every position. An
 * LSTM carries its state from one chunk of text to the next (truncated BPTT); a transformer sees each chunk alone.
 */
abstract class CharModel extends Module {
    /** logits (B, T, V) and the state to carry into the next chunk (null for a model that carries none). */
    record Output(Tensor logits, Recurrent.State state) {
    }

    /** x (B, T) int64 byte ids; carried the previous chunk's state, or null to start afresh. */
    abstract Output forward(Tensor x, Recurrent.State carried);

    /** The longest chunk it takes (Integer.MAX_VALUE when any length goes). */
    abstract int context();
}
