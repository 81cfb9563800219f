package dev.kiln.cli.run;

import dev.kiln.Device;
import dev.kiln.Tensor;
import java.util.List;

/**
 * A batch of byte sequences of different lengths, padded with {@link #PAD} to the longest, with each sequence's
 * length (what PyTorch's pack_padded_sequence takes) and the labels.
 *
 * @param tokens  (B, T) int64 byte ids, PAD after each sequence's end
 * @param lengths each sequence's length, in [1, T]
 * @param labels  (B) int64 class ids
 */
record TextBatch(Tensor tokens, int[] lengths, Tensor labels) {
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
        int[] lengths = new int[b];
        long[] labels = new long[b];
        for (int i = 0; i < b; i++) {
            byte[] text = examples.get(i).text();
            lengths[i] = text.length;
            for (int j = 0; j < t; j++) {
                tokens[i * t + j] = j < text.length ? text[j] & 0xff : PAD;
            }
            labels[i] = examples.get(i).label();
        }
        return new TextBatch(Tensor.fromArray(tokens, b, t).to(device), lengths, Tensor.fromArray(labels, b).to(device));
    }
}
