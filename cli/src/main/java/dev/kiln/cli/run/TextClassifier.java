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
 * Byte embedding (64) -> a bidirectional LSTM or GRU (128 per direction) over the padded batch with its lengths (as
 * PyTorch's pack_padded_sequence: each direction reads each sequence to its own end) -> linear on both directions'
 * final states: the model of `kiln run textcls`.
 */
final class TextClassifier extends Module {
    static final int EMBEDDING = 64;
    static final int HIDDEN = 128;
    private final Embedding embedding;
    private final Recurrent rnn;
    private final Linear head;

    /** cell "lstm" or "gru". */
    TextClassifier(String cell, int classes, Generator g) {
        embedding = registerModule("embedding", new Embedding(TextBatch.VOCABULARY, EMBEDDING, TextBatch.PAD, g));
        rnn = registerModule("rnn", cell.equals("lstm") ? new LSTM(EMBEDDING, HIDDEN, 1, true, true, true, 0, g)
                : new GRU(EMBEDDING, HIDDEN, 1, true, true, true, g));
        head = registerModule("head", new Linear(2 * HIDDEN, classes, g));
    }

    /** The class logits (B, classes). */
    Tensor forward(TextBatch b) {
        return head.forward(features(b));
    }

    /** Both directions' final states, concatenated: (B, 2 H), forward first (PyTorch's h_n order). */
    Tensor features(TextBatch b) {
        Tensor h = rnn.forward(embedding.forward(b.tokens()), b.lengths(), null).state().h(); // (2, B, H)
        return Tensor.cat(new Tensor[] {h.select(0, 0), h.select(0, 1)}, 1);
    }
}
