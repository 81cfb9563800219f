package dev.kiln.data;

import dev.kiln.Generator;
import dev.kiln.Tensor;

/** Index checks and permutations shared by the datasets and the loader. */
final class Sampling {
    private Sampling() {
    }

    static void checkIndex(String owner, int index, int size) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException(owner + ": index " + index + " is out of range for " + size + " samples");
        }
    }

    /** 0..n-1 in order. */
    static int[] identity(int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = i;
        }
        return out;
    }

    /** A permutation of 0..n-1 from g (Tensor.randperm), as ints. */
    static int[] permutation(int n, Generator g) {
        long[] p = Tensor.randperm(n, g).toLongArray();
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = (int) p[i];
        }
        return out;
    }
}
