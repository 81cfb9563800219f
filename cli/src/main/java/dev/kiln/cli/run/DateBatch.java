package dev.kiln.cli.run;

import dev.kiln.Device;
import dev.kiln.Tensor;
import java.util.List;

/**
 * A batch of {@link Dates} examples as character ids. Sources are padded with {@link #PAD} to the batch's longest;
 * every target has the same length (10 characters, then EOS), so targets need no padding.
 *
 * <p>Vocabularies (fixed; the twin's are the same): source id 0 is PAD and ids 1.. are {@link #SOURCE_CHARS} in order
 * (41 ids); target ids are 0 PAD, 1 BOS, 2 EOS, then {@link #TARGET_CHARS} in order (14 ids).
 *
 * @param source  (B, S) int64 source ids, PAD after each source's end
 * @param padding (B, S) bool, true at PAD: the keys attention must not see
 * @param last    (B) int64: b S + len_b - 1, each source's last character in (B S)-flattened encoder outputs
 * @param input   (B, T) int64: BOS, then the target's characters (teacher forcing's decoder input)
 * @param output  (B, T) int64: the target's characters, then EOS (what each step predicts)
 */
record DateBatch(Tensor source, Tensor padding, Tensor last, Tensor input, Tensor output) {
    static final int PAD = 0;
    static final int BOS = 1;
    static final int EOS = 2;
    static final String SOURCE_CHARS = " ,./0123456789abcdefghijklmnopqrstuvwxyz";
    static final String TARGET_CHARS = "0123456789-";
    static final int SOURCE_VOCABULARY = 1 + SOURCE_CHARS.length();
    static final int TARGET_VOCABULARY = 3 + TARGET_CHARS.length();
    /** "yyyy-mm-dd" and EOS: the decoder's steps, in training and in greedy decoding alike. */
    static final int TARGET_STEPS = 11;
    /** The longest source, with room: "wednesday, september 30, 2049" has 29 characters. */
    static final int MAX_SOURCE = 32;

    int size() {
        return source.size(0);
    }

    static DateBatch of(List<Dates.Example> examples, Device device) {
        int b = examples.size();
        int s = examples.stream().mapToInt(e -> e.source().length()).max().orElseThrow();
        long[] source = new long[b * s];
        boolean[] padding = new boolean[b * s];
        long[] last = new long[b];
        long[] input = new long[b * TARGET_STEPS];
        long[] output = new long[b * TARGET_STEPS];
        for (int i = 0; i < b; i++) {
            long[] src = sourceIds(examples.get(i).source());
            for (int j = 0; j < s; j++) {
                source[i * s + j] = j < src.length ? src[j] : PAD;
                padding[i * s + j] = j >= src.length;
            }
            last[i] = (long) i * s + src.length - 1;
            long[] tgt = targetIds(examples.get(i).target());
            input[i * TARGET_STEPS] = BOS;
            System.arraycopy(tgt, 0, input, i * TARGET_STEPS + 1, TARGET_STEPS - 1);
            System.arraycopy(tgt, 0, output, i * TARGET_STEPS, TARGET_STEPS - 1);
            output[i * TARGET_STEPS + TARGET_STEPS - 1] = EOS;
        }
        return new DateBatch(Tensor.fromArray(source, b, s).to(device), Tensor.fromArray(padding, b, s).to(device),
                Tensor.fromArray(last, b).to(device), Tensor.fromArray(input, b, TARGET_STEPS).to(device),
                Tensor.fromArray(output, b, TARGET_STEPS).to(device));
    }

    static long[] sourceIds(String text) {
        if (text.isEmpty() || text.length() > MAX_SOURCE) {
            throw new IllegalArgumentException("a date source has 1 to " + MAX_SOURCE + " characters, got \"" + text + "\"");
        }
        return ids(text, SOURCE_CHARS, 1);
    }

    static long[] targetIds(String text) {
        if (text.length() != TARGET_STEPS - 1) {
            throw new IllegalArgumentException("an ISO date has " + (TARGET_STEPS - 1) + " characters, got \"" + text + "\"");
        }
        return ids(text, TARGET_CHARS, 3);
    }

    private static long[] ids(String text, String chars, int first) {
        long[] ids = new long[text.length()];
        for (int i = 0; i < ids.length; i++) {
            int k = chars.indexOf(text.charAt(i));
            if (k < 0) {
                throw new IllegalArgumentException("'" + text.charAt(i) + "' in \"" + text + "\" is not in \"" + chars + "\"");
            }
            ids[i] = first + k;
        }
        return ids;
    }

    /** Target ids as text, up to the first EOS (PAD and BOS shown as '?': a decoder should never emit them). */
    static String targetText(long[] ids) {
        StringBuilder sb = new StringBuilder();
        for (long id : ids) {
            if (id == EOS) {
                break;
            }
            sb.append(id >= 3 ? TARGET_CHARS.charAt((int) id - 3) : '?');
        }
        return sb.toString();
    }
}
