package dev.kiln.cli.run;

import dev.kiln.Device;
import dev.kiln.Tensor;
import java.util.List;

/**
 * A batch of byte sequences of different lengths, padded with {@link #PAD} to the longest: the tokens as read, the
 * tokens with each sequence reversed within its own length (the backward direction's input, padding still at the end),
 * where each sequence's last real step lies in the flattened (B T) outputs, and the labels.
 *
 * @param tokens   (B, T) int64 byte ids, PAD after each sequence's end
 * @param reversed (B, T) int64: row b is tokens[b, len_b - 1], ..., tokens[b, 0], then PAD
 * @param last     (B) int64: b T + len_b - 1, each sequence's final step in outputs reshaped to (B T, H)
 * @param labels   (B) int64 class ids
 */
record TextBatch(Tensor tokens, Tensor reversed, Tensor last, Tensor labels) {
    /** The padding id, after the 256 byte values. */
    static final int PAD = 256;
    /** Byte ids and the padding id. */
    static final int VOCABULARY = 257;

    /** One example: its bytes (already truncated) and its class. */
    record Example(byte[] text, int label) {
    }

    int size() {
        return labels.size(0);
    }

    /** The examples as one batch on the device; each needs at least one byte. */
    static TextBatch of(List<Example> examples, Device device) {
        int b = examples.size();
        int t = examples.stream().mapToInt(e -> e.text().length).max().orElseThrow();
        long[] tokens = new long[b * t];
        long[] reversed = new long[b * t];
        long[] last = new long[b];
        long[] labels = new long[b];
        for (int i = 0; i < b; i++) {
            byte[] text = examples.get(i).text();
            int n = text.length;
            for (int j = 0; j < t; j++) {
                tokens[i * t + j] = j < n ? text[j] & 0xff : PAD;
                reversed[i * t + j] = j < n ? text[n - 1 - j] & 0xff : PAD;
            }
            last[i] = (long) i * t + n - 1;
            labels[i] = examples.get(i).label();
        }
        return new TextBatch(Tensor.fromArray(tokens, b, t).to(device), Tensor.fromArray(reversed, b, t).to(device),
                Tensor.fromArray(last, b).to(device), Tensor.fromArray(labels, b).to(device));
    }
}
