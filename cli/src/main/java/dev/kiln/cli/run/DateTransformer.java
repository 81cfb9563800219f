package dev.kiln.cli.run;

import dev.kiln.DType;
import dev.kiln.Functional;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.nn.Embedding;
import dev.kiln.nn.LayerNorm;
import dev.kiln.nn.Linear;
import dev.kiln.nn.MultiheadAttention;
import dev.kiln.nn.Transformer;
import dev.kiln.nn.TransformerDecoderLayer;

/**
 * The transformer encoder-decoder of `kiln run seq2seq --model transformer`: character and learned position
 * embeddings (64) into nn.Transformer's layout (2 encoder and 2 decoder post-norm layers, 2 heads, feed-forward 256,
 * ReLU, no dropout, xavier-uniform matrices), the source padding masked in the encoder's self-attention and in the
 * decoder's cross attention, a causal mask on the decoder's self-attention, and a linear layer to the target characters.
 */
final class DateTransformer extends Seq2SeqModel {
    static final int WIDTH = 64;
    static final int HEADS = 2;
    static final int LAYERS = 2;
    private final Embedding sourceTokens;
    private final Embedding sourcePositions;
    private final Embedding targetTokens;
    private final Embedding targetPositions;
    private final Transformer transformer;
    private final Linear head;

    DateTransformer(Generator g) {
        sourceTokens = registerModule("source_tokens", new Embedding(DateBatch.SOURCE_VOCABULARY, WIDTH, DateBatch.PAD, g));
        sourcePositions = registerModule("source_positions", new Embedding(DateBatch.MAX_SOURCE, WIDTH, null, g));
        targetTokens = registerModule("target_tokens", new Embedding(DateBatch.TARGET_VOCABULARY, WIDTH, DateBatch.PAD, g));
        targetPositions = registerModule("target_positions", new Embedding(DateBatch.TARGET_STEPS, WIDTH, null, g));
        transformer = registerModule("transformer", new Transformer(WIDTH, HEADS, LAYERS, LAYERS, 4 * WIDTH, 0.0, "relu",
                1e-5, true, false, g));
        head = registerModule("head", new Linear(WIDTH, DateBatch.TARGET_VOCABULARY, g));
    }

    @Override
    Tensor forward(DateBatch b) {
        return head.forward(decode(b.input(), encode(b), b.padding())); // (B, T, V)
    }

    @Override
    Decoded greedy(DateBatch b) {
        Tensor memory = encode(b);
        Tensor tokens = Tensor.full(new int[] {b.size(), 1}, DateBatch.BOS, DType.INT64, memory.device()); // (B, 1)
        for (int t = 0; t < DateBatch.TARGET_STEPS; t++) {
            Tensor last = decode(tokens, memory, b.padding()).narrow(1, t, 1);             // (B, 1, E)
            tokens = Tensor.cat(new Tensor[] {tokens, head.forward(last).argmax(2)}, 1);   // (B, t + 2)
        }
        // the last step's input, BOS and every output but the last: by causality its attention is each step's
        Tensor input = tokens.narrow(1, 0, DateBatch.TARGET_STEPS);
        return new Decoded(tokens.narrow(1, 1, DateBatch.TARGET_STEPS), crossAttention(input, memory, b.padding()));
    }

    /** The encoder's output (B, S, E). */
    private Tensor encode(DateBatch b) {
        return transformer.encoder().forward(embed(b.source(), sourceTokens, sourcePositions), null, b.padding());
    }

    /** The decoder's output (B, T, E) for input tokens (B, T), each position seeing itself and those before it. */
    private Tensor decode(Tensor input, Tensor memory, Tensor padding) {
        Tensor causal = Transformer.generateSquareSubsequentMask(input.size(1), memory.dtype(), memory.device()); // (T, T)
        return transformer.decoder().forward(embed(input, targetTokens, targetPositions), memory, causal, null, null, padding);
    }

    /** Token plus position embedding: ids (B, L) -> (B, L, E). */
    private static Tensor embed(Tensor ids, Embedding tokens, Embedding positions) {
        Tensor at = Tensor.arange(0, ids.size(1), 1, DType.INT64, ids.device()); // (L)
        return tokens.forward(ids).add(positions.forward(at));
    }

    /**
     * The last decoder layer's cross-attention weights averaged over its heads (B, T, S). MultiheadAttention runs the
     * fused attention primitive and returns no weights, so they are computed here by its formula: the layers before
     * the last run as they are; in the last (post-norm) x' = norm1(x + self_attn(x)) is the query, and the weights are
     * softmax(q k^T / sqrt(d) + padding mask) per head with q, k the multihead_attn's in-projections of x' and memory.
     */
    private Tensor crossAttention(Tensor input, Tensor memory, Tensor padding) {
        var modules = transformer.decoder().namedModules();
        int t = input.size(1);
        Tensor causal = Transformer.generateSquareSubsequentMask(t, memory.dtype(), memory.device());
        Tensor x = embed(input, targetTokens, targetPositions);                                     // (B, T, E)
        for (int i = 0; i < LAYERS - 1; i++) {
            x = ((TransformerDecoderLayer) modules.get("layers." + i)).forward(x, memory, causal, null, null, padding, false);
        }
        String last = "layers." + (LAYERS - 1) + ".";
        MultiheadAttention self = (MultiheadAttention) modules.get(last + "self_attn");
        x = ((LayerNorm) modules.get(last + "norm1")).forward(x.add(self.forward(x, x, x, null, causal, false)));
        return headWeights((MultiheadAttention) modules.get(last + "multihead_attn"), x, memory, padding).mean(1);
    }

    /** Attention weights per head (B, heads, L, S) of query x (B, L, E) over memory (B, S, E), padding masked. */
    static Tensor headWeights(MultiheadAttention attention, Tensor x, Tensor memory, Tensor padding) {
        var p = attention.namedParameters();
        Tensor w = p.get("in_proj_weight").data();                                                 // (3E, E)
        Tensor bias = p.get("in_proj_bias").data();                                                // (3E)
        Tensor q = heads(Functional.linear(x, w.narrow(0, 0, WIDTH), bias.narrow(0, 0, WIDTH)));   // (B, h, L, d)
        Tensor k = heads(Functional.linear(memory, w.narrow(0, WIDTH, WIDTH), bias.narrow(0, WIDTH, WIDTH))); // (B, h, S, d)
        Tensor scores = q.matmul(k.transpose(2, 3)).div(Math.sqrt(WIDTH / HEADS));                  // (B, h, L, S)
        int n = padding.size(0);
        return scores.add(additiveMask(padding, scores.dtype()).reshape(n, 1, 1, padding.size(1))).softmax(3);
    }

    /** (B, L, E) -> (B, heads, L, E / heads). */
    private static Tensor heads(Tensor x) {
        return x.reshape(x.size(0), x.size(1), HEADS, WIDTH / HEADS).permute(0, 2, 1, 3);
    }
}
