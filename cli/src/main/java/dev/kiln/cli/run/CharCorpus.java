package dev.kiln.cli.run;

import dev.kiln.Device;
import dev.kiln.Tensor;
import dev.kiln.cli.UserError;
import dev.kiln.cli.data.Fortunes.Fortune;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;

/**
 * Fortunes as a character-level corpus: the alphabet is the bytes the fortunes use (sorted, so both twins number them
 * alike), and a set of fortunes becomes one stream of byte ids, each fortune followed by the "%" line that separates
 * them in the files.
 */
final class CharCorpus {
    static final byte[] SEPARATOR = {'%', '\n'};
    private final byte[] alphabet;
    private final int[] index = new int[256]; // byte & 0xff -> id, -1 if not in the alphabet

    CharCorpus(List<Fortune> all) {
        boolean[] used = new boolean[256];
        for (byte b : SEPARATOR) {
            used[b & 0xff] = true;
        }
        for (Fortune f : all) {
            for (byte b : f.text()) {
                used[b & 0xff] = true;
            }
        }
        ByteArrayOutputStream a = new ByteArrayOutputStream();
        Arrays.fill(index, -1);
        for (int b = 0; b < 256; b++) {
            if (used[b]) {
                index[b] = a.size();
                a.write(b);
            }
        }
        alphabet = a.toByteArray();
    }

    int size() {
        return alphabet.length;
    }

    /** The fortunes' ids, each fortune followed by the separator's. */
    long[] encode(List<Fortune> fortunes) {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        for (Fortune f : fortunes) {
            text.writeBytes(f.text());
            text.writeBytes(SEPARATOR);
        }
        return encode(text.toByteArray());
    }

    long[] encode(byte[] text) {
        long[] ids = new long[text.length];
        for (int i = 0; i < text.length; i++) {
            ids[i] = index[text[i] & 0xff];
            if (ids[i] < 0) {
                throw new IllegalArgumentException("CharCorpus: byte " + (text[i] & 0xff) + " is not in the alphabet");
            }
        }
        return ids;
    }

    byte decode(int id) {
        return alphabet[id];
    }

    /**
     * ids cut into `streams` rows of equal length, the tail that does not fill a row dropped: (streams, L) int64 on the
     * device, the parallel streams truncated BPTT walks through; a UserError when a row would hold under 2 bytes.
     */
    static Tensor batchify(long[] ids, int streams, Device device) {
        int length = ids.length / streams;
        if (length < 2) {
            throw new UserError("charlm: " + ids.length + " bytes of text cannot fill " + streams
                    + " streams of at least 2 bytes each; use fewer streams (--batch-size) or more text");
        }
        return Tensor.fromArray(Arrays.copyOf(ids, Math.multiplyExact(length, streams)), streams, length).to(device);
    }
}
