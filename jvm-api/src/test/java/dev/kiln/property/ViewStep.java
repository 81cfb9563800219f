package dev.kiln.property;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * One random view op, with raw parameters that {@link #apply} fits to the current shape; the same
 * concrete op is applied to the Kiln tensor (a strided view) and to the naive array (a copy).
 */
record ViewStep(Kind kind, int a, int b, int c) {
    enum Kind { PERMUTE, TRANSPOSE, NARROW, SLICE, EXPAND, UNSQUEEZE }

    /** The largest rank a chain of steps may build. */
    static final int MAX_RANK = 5;

    Viewed apply(Viewed v) {
        int[] s = v.ref().shape;
        int r = s.length;
        switch (kind) {
            case PERMUTE: {
                if (r < 2) {
                    return v;
                }
                List<Integer> p = new ArrayList<>();
                for (int i = 0; i < r; i++) {
                    p.add(i);
                }
                Collections.shuffle(p, new Random(a));
                int[] perm = p.stream().mapToInt(Integer::intValue).toArray();
                return v.then("permute" + java.util.Arrays.toString(perm), v.kiln().permute(perm), v.ref().permute(perm));
            }
            case TRANSPOSE: {
                if (r < 1) {
                    return v;
                }
                int d0 = a % r;
                int d1 = b % r;
                int[] perm = new int[r];
                for (int i = 0; i < r; i++) {
                    perm[i] = i == d0 ? d1 : i == d1 ? d0 : i;
                }
                return v.then("transpose(" + d0 + ", " + d1 + ")", v.kiln().transpose(d0, d1), v.ref().permute(perm));
            }
            case NARROW: {
                if (r < 1) {
                    return v;
                }
                int dim = a % r;
                int start = b % (s[dim] + 1);
                int len = c % (s[dim] - start + 1);
                return v.then("narrow(" + dim + ", " + start + ", " + len + ")", v.kiln().narrow(dim, start, len),
                        v.ref().slice(dim, start, start + len, 1));
            }
            case SLICE: {
                if (r < 1) {
                    return v;
                }
                int dim = a % r;
                int n = s[dim];
                int start = b % (n + 1);
                int step = 1 + c % 3;
                int end = start + (c / 3) % (n - start + 1);
                // half the time the same slice written with negative (from the end) bounds, as x[-3:-1]
                boolean negative = (a / MAX_RANK) % 2 == 1 && start > 0 && end > 0 && end < n;
                int ks = negative ? start - n : start;
                int ke = negative ? end - n : end;
                return v.then("slice(" + dim + ", " + ks + ", " + ke + ", " + step + ")", v.kiln().slice(dim, ks, ke, step),
                        v.ref().slice(dim, start, end, step));
            }
            case EXPAND: {
                int lead = r < MAX_RANK ? c % 3 : 0;
                int[] target = new int[r + (lead > 0 ? 1 : 0)];
                int off = target.length - r;
                if (off > 0) {
                    target[0] = lead;
                }
                for (int d = 0; d < r; d++) {
                    target[off + d] = s[d] == 1 ? 1 + (b + d) % 3 : s[d];
                }
                return v.then("expand" + java.util.Arrays.toString(target), v.kiln().expand(target), v.ref().expand(target));
            }
            default: {
                if (r >= MAX_RANK) {
                    return v;
                }
                int dim = a % (r + 1);
                return v.then("unsqueeze(" + dim + ")", v.kiln().unsqueeze(dim), v.ref().unsqueeze(dim));
            }
        }
    }
}
