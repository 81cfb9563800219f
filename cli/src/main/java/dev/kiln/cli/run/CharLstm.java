package dev.kiln.cli.run;

import dev.kiln.Generator;
import dev.kiln.nn.Embedding;
import dev.kiln.nn.LSTM;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Recurrent;
import dev.kiln.Tensor;

/** Embedding (64) -> one-layer LSTM (256) -> linear to the alphabet: the RNN of `kiln run charlm --model lstm`. */
final class CharLstm extends CharModel {
    static final int EMBEDDING = 64;
    static final int HIDDEN = 256;
    private final Embedding embedding;
    private final LSTM lstm;
    private final Linear head;

    CharLstm(int alphabet, Generator g) {
        embedding = registerModule("embedding", new Embedding(alphabet, EMBEDDING, null, g));
        lstm = registerModule("lstm", new LSTM(EMBEDDING, HIDDEN, 1, true, true, g));
        head = registerModule("head", new Linear(HIDDEN, alphabet, g));
    }

    @Override
    Output forward(Tensor x, Recurrent.State carried) {
        Recurrent.Output out = lstm.forward(embedding.forward(x), carried); // (B, T, H)
        return new Output(head.forward(out.output()), out.state());         // (B, T, V)
    }

    @Override
    int context() {
        return Integer.MAX_VALUE;
    }
}
