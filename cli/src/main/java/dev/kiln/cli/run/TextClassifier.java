package dev.kiln.cli.run;

import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.nn.Embedding;
import dev.kiln.nn.GRU;
import dev.kiln.nn.LSTM;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.nn.Recurrent;

/**
 * Byte embedding (64) -> a bidirectional LSTM or GRU (128 per direction) read to each sequence's own end -> linear to
 * the classes: the model of `kiln run textcls`.
 *
 * <p>Kiln has no packed sequences, and a bidirectional {@link Recurrent} reads a padded row's padding first in its
 * reverse direction (and padding is not a no-op: the biases move the state). So the two directions are two
 * one-directional RNNs: "forward" reads the tokens left to right and its state at step len_b - 1 has seen exactly the
 * sequence (padding comes after it); "backward" reads each sequence reversed within its own length (padding again
 * after it), so its state at step len_b - 1 has read the sequence from its last byte to its first from a zero state.
 * Those are PyTorch's h_n of a bidirectional RNN over pack_padded_sequence: forward and reverse final states.
 */
final class TextClassifier extends Module {
    static final int EMBEDDING = 64;
    static final int HIDDEN = 128;
    private final Embedding embedding;
    private final Recurrent forward;
    private final Recurrent backward;
    private final Linear head;

    /** cell "lstm" or "gru". */
    TextClassifier(String cell, int classes, Generator g) {
        embedding = registerModule("embedding", new Embedding(TextBatch.VOCABULARY, EMBEDDING, TextBatch.PAD, g));
        forward = registerModule("forward", rnn(cell, g));
        backward = registerModule("backward", rnn(cell, g));
        head = registerModule("head", new Linear(2 * HIDDEN, classes, g));
    }

    private static Recurrent rnn(String cell, Generator g) {
        return cell.equals("lstm") ? new LSTM(EMBEDDING, HIDDEN, 1, true, true, g) : new GRU(EMBEDDING, HIDDEN, 1, true, true, g);
    }

    /** The class logits (B, classes). */
    Tensor forward(TextBatch b) {
        return head.forward(features(b));
    }

    /** Both directions' final states, concatenated: (B, 2 H), forward first (PyTorch's h_n order). */
    Tensor features(TextBatch b) {
        return Tensor.cat(new Tensor[] {finalState(forward, b.tokens(), b), finalState(backward, b.reversed(), b)}, 1);
    }

    /** rnn over tokens (B, T); its output at each sequence's last real step: (B, H). */
    private Tensor finalState(Recurrent rnn, Tensor tokens, TextBatch b) {
        Tensor out = rnn.forward(embedding.forward(tokens)).output(); // (B, T, H)
        return out.reshape(-1, HIDDEN).indexSelect(0, b.last());      // (B T, H) -> (B, H)
    }
}
