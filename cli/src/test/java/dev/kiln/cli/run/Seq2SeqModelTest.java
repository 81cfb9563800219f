package dev.kiln.cli.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Functional;
import dev.kiln.Generator;
import dev.kiln.GradMode;
import dev.kiln.Tensor;
import dev.kiln.nn.MultiheadAttention;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The two encoder-decoders of `kiln run seq2seq`: a date decodes the same alone and padded in a batch, greedy decoding
 * is what teacher forcing on its own output predicts, the attention rows are distributions that skip the padding, and
 * the transformer's heat-map weights are those MultiheadAttention applies.
 */
class Seq2SeqModelTest {
    private static final Dates.Example SHORT = new Dates.Example("3.3.87", "1987-03-03");
    private static final Dates.Example LONG = new Dates.Example("wednesday, september 30, 2048", "2048-09-30");

    private static List<Seq2SeqModel> models() {
        return List.of(new AttentionGru(new Generator(1)), new DateTransformer(new Generator(1)));
    }

    /** Row 0 of a (B, ...) tensor as floats. */
    private static float[] first(Tensor t) {
        return t.select(0, 0).contiguous().toFloatArray();
    }

    /** The short date's logits, greedy tokens and attention over its characters do not depend on the padding. */
    @Test
    void paddedEqualsAlone() {
        for (Seq2SeqModel m : models()) {
            m.eval();
            try (var noGrad = GradMode.noGrad()) {
                DateBatch alone = DateBatch.of(List.of(SHORT), Device.CPU);
                DateBatch padded = DateBatch.of(List.of(SHORT, LONG), Device.CPU);   // 6 characters padded to 29
                String name = m.getClass().getSimpleName();
                assertArrayEquals(first(m.forward(alone)), first(m.forward(padded)), 1e-5f, name);
                Seq2SeqModel.Decoded a = m.greedy(alone);
                Seq2SeqModel.Decoded p = m.greedy(padded);
                assertArrayEquals(a.tokens().toLongArray(), Arrays.copyOf(p.tokens().toLongArray(), DateBatch.TARGET_STEPS));
                Tensor pa = p.attention().select(0, 0);                                  // (T, 29)
                assertArrayEquals(a.attention().toFloatArray(), pa.narrow(1, 0, 6).contiguous().toFloatArray(), 1e-5f);
                assertEquals(0, pa.narrow(1, 6, 23).abs().max().item(), 0, name + ": weight on padding");
                float[] sums = p.attention().sum(2).toFloatArray();                      // (B, T): each row sums to 1
                for (float s : sums) {
                    assertEquals(1, s, 1e-5, name);
                }
            }
        }
    }

    /** Teacher forcing on BOS + the greedy output predicts that output again: the decoder steps agree with one pass. */
    @Test
    void greedyDecodingIsTeacherForcingOnItsOwnOutput() {
        for (Seq2SeqModel m : models()) {
            m.eval();
            try (var noGrad = GradMode.noGrad()) {
                DateBatch b = DateBatch.of(List.of(SHORT, LONG, new Dates.Example("the 1st of may, 1950", "1950-05-01")),
                        Device.CPU);
                Tensor tokens = m.greedy(b).tokens();                                     // (B, T)
                Tensor bos = Tensor.full(new int[] {3, 1}, DateBatch.BOS, DType.INT64, Device.CPU);
                Tensor input = Tensor.cat(new Tensor[] {bos, tokens.narrow(1, 0, DateBatch.TARGET_STEPS - 1)}, 1);
                DateBatch forced = new DateBatch(b.source(), b.padding(), b.last(), input, b.output());
                assertArrayEquals(tokens.toLongArray(), m.forward(forced).argmax(2).toLongArray(),
                        m.getClass().getSimpleName());
            }
        }
    }

    /** headWeights' softmax(q k^T / sqrt(d)) per head, applied to the value projections, is MultiheadAttention's output. */
    @Test
    void headWeightsAreTheWeightsMultiheadAttentionApplies() {
        Generator g = new Generator(3);
        MultiheadAttention mha = new MultiheadAttention(DateTransformer.WIDTH, DateTransformer.HEADS, true, true, g);
        int e = DateTransformer.WIDTH;
        Tensor x = Tensor.randn(g, 2, 5, e);                                             // (B, L, E)
        Tensor memory = Tensor.randn(g, 2, 7, e);                                        // (B, S, E)
        boolean[] pad = new boolean[14];
        Arrays.fill(pad, 11, 14, true);                                                  // the second source: 4 of 7
        Tensor padding = Tensor.fromArray(pad, 2, 7);
        try (var noGrad = GradMode.noGrad()) {
            Tensor weights = DateTransformer.headWeights(mha, x, memory, padding);        // (B, h, L, S)
            var p = mha.namedParameters();
            Tensor v = Functional.linear(memory, p.get("in_proj_weight").data().narrow(0, 2 * e, e),
                    p.get("in_proj_bias").data().narrow(0, 2 * e, e));                    // (B, S, E)
            int d = e / DateTransformer.HEADS;
            Tensor vh = v.reshape(2, 7, DateTransformer.HEADS, d).permute(0, 2, 1, 3);    // (B, h, S, d)
            Tensor merged = weights.matmul(vh).permute(0, 2, 1, 3).reshape(2, 5, e);     // (B, L, E)
            Tensor y = Functional.linear(merged, p.get("out_proj.weight").data(), p.get("out_proj.bias").data());
            assertArrayEquals(mha.forward(x, memory, memory, padding, null, false).toFloatArray(), y.toFloatArray(), 1e-5f);
        }
    }
}
