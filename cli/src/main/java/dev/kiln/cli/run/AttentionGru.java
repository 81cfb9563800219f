package dev.kiln.cli.run;

import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.nn.Embedding;
import dev.kiln.nn.GRU;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Recurrent;

/**
 * The GRU encoder-decoder with additive (Bahdanau) attention of `kiln run seq2seq --model gru`. Source characters
 * (embedding 32) are read by a GRU (128); padding comes after each source, so the outputs at its real characters and
 * its state at its last one do not depend on the padding. The decoder starts from that state; at each step the
 * previous state s attends over the encoder outputs h_j with score_j = v^T tanh(W_q s + W_k h_j) (padding masked),
 * the context c = sum_j alpha_j h_j and the previous output character's embedding feed a GRU cell (128), and a linear
 * layer on [s', c] gives the logits.
 */
final class AttentionGru extends Seq2SeqModel {
    static final int EMBEDDING = 32;
    static final int HIDDEN = 128;
    static final int ATTENTION = 128;
    private final Embedding sourceEmbedding;
    private final GRU encoder;
    private final Embedding targetEmbedding;
    private final Linear query;
    private final Linear key;
    private final Linear score;
    private final GRU decoder;
    private final Linear head;

    AttentionGru(Generator g) {
        sourceEmbedding = registerModule("source_embedding", new Embedding(DateBatch.SOURCE_VOCABULARY, EMBEDDING,
                DateBatch.PAD, g));
        encoder = registerModule("encoder", new GRU(EMBEDDING, HIDDEN, 1, true, true, g));
        targetEmbedding = registerModule("target_embedding", new Embedding(DateBatch.TARGET_VOCABULARY, EMBEDDING,
                DateBatch.PAD, g));
        query = registerModule("query", new Linear(HIDDEN, ATTENTION, false, g));
        key = registerModule("key", new Linear(HIDDEN, ATTENTION, true, g));
        score = registerModule("score", new Linear(ATTENTION, 1, false, g));
        decoder = registerModule("decoder", new GRU(EMBEDDING + HIDDEN, HIDDEN, 1, true, true, g));
        head = registerModule("head", new Linear(2 * HIDDEN, DateBatch.TARGET_VOCABULARY, g));
    }

    @Override
    Tensor forward(DateBatch b) {
        return Tensor.stack(decode(b, true).logits(), 1);                    // (B, T, V)
    }

    @Override
    Decoded greedy(DateBatch b) {
        Steps steps = decode(b, false);
        return new Decoded(Tensor.cat(steps.tokens(), 1), Tensor.stack(steps.attention(), 1)); // (B, T), (B, T, S)
    }

    /** Each step's logits (B, V), attention (B, S) and, decoding greedily, its argmax token (B, 1). */
    private record Steps(Tensor[] logits, Tensor[] attention, Tensor[] tokens) {
    }

    /** Runs the decoder; teacher: each step reads the batch's input, otherwise the previous step's argmax. */
    private Steps decode(DateBatch b, boolean teacher) {
        int n = b.size();
        int s = b.source().size(1);
        Tensor memory = encoder.forward(sourceEmbedding.forward(b.source())).output();     // (B, S, H)
        Tensor state = memory.reshape(n * s, HIDDEN).indexSelect(0, b.last());            // (B, H)
        Tensor keys = key.forward(memory);                                                // (B, S, A), once per batch
        Tensor mask = additiveMask(b.padding(), memory.dtype());                          // (B, S)
        int steps = DateBatch.TARGET_STEPS;
        Steps out = new Steps(new Tensor[steps], new Tensor[steps], new Tensor[steps]);
        Tensor previous = Tensor.full(new int[] {n, 1}, DateBatch.BOS, b.input().dtype(), b.input().device()); // (B, 1)
        for (int t = 0; t < steps; t++) {
            Tensor in = teacher ? b.input().narrow(1, t, 1) : previous;                   // (B, 1)
            Tensor scores = score.forward(keys.add(query.forward(state).unsqueeze(1)).tanh()).squeeze(2); // (B, S)
            Tensor alpha = scores.add(mask).softmax(1);                                   // (B, S)
            Tensor context = alpha.unsqueeze(1).bmm(memory);                              // (B, 1, H)
            Tensor x = Tensor.cat(new Tensor[] {targetEmbedding.forward(in), context}, 2); // (B, 1, E + H)
            state = decoder.forward(x, new Recurrent.State(state.unsqueeze(0), null)).state().h().squeeze(0); // (B, H)
            out.logits()[t] = head.forward(Tensor.cat(new Tensor[] {state, context.squeeze(1)}, 1)); // (B, V)
            out.attention()[t] = alpha;
            if (!teacher) {
                previous = out.logits()[t].argmax(1, true);                               // (B, 1)
                out.tokens()[t] = previous;
            }
        }
        return out;
    }
}
