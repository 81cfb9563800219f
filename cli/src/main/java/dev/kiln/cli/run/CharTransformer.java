package dev.kiln.cli.run;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.nn.Embedding;
import dev.kiln.nn.LayerNorm;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Recurrent;
import dev.kiln.nn.TransformerEncoder;
import dev.kiln.nn.TransformerEncoderLayer;

/**
 * The small causal transformer of `kiln run charlm --model transformer`: byte and learned position embeddings (128),
 * two pre-norm encoder layers (4 heads, feed-forward 512, GELU, no dropout) with causal self-attention through the
 * fused attention, a final LayerNorm and a linear layer to the alphabet.
 */
final class CharTransformer extends CharModel {
    static final int WIDTH = 128;
    static final int HEADS = 4;
    static final int LAYERS = 2;
    private final int context;
    private final Embedding tokens;
    private final Embedding positions;
    private final TransformerEncoder encoder;
    private final Linear head;

    CharTransformer(int alphabet, int context, Generator g) {
        this.context = context;
        tokens = registerModule("tokens", new Embedding(alphabet, WIDTH, null, g));
        positions = registerModule("positions", new Embedding(context, WIDTH, null, g));
        encoder = registerModule("encoder", new TransformerEncoder(
                () -> new TransformerEncoderLayer(WIDTH, HEADS, 4 * WIDTH, 0.0, "gelu", 1e-5, true, true, g), LAYERS,
                new LayerNorm(WIDTH)));
        head = registerModule("head", new Linear(WIDTH, alphabet, g));
    }

    @Override
    Output forward(Tensor x, Recurrent.State carried) {
        int t = x.size(1);
        if (t > context) {
            throw new IllegalArgumentException("CharTransformer: a chunk of " + t + " bytes is longer than its context "
                    + context);
        }
        Tensor at = Tensor.arange(0, t, 1, DType.INT64, x.device());               // (T)
        Tensor h = tokens.forward(x).add(positions.forward(at));                    // (B, T, E)
        return new Output(head.forward(encoder.forward(h, null, null, true)), null); // (B, T, V)
    }

    @Override
    int context() {
        return context;
    }
}
