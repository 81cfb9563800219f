package dev.kiln.cpu;

import dev.kiln.spi.AttentionSpec;
import dev.kiln.DType;
import dev.kiln.spi.NdArray;

/**
 * Score tiles of attention: s = scale * q k^T + mask for queries [i0, i0 + bq) and keys [j0, j0 + bk)
 * of one batch entry, with -inf wherever a bool mask (false) or causality (key j > query i) hides a
 * key. The mask (B, Lq, Lk) is read through its strides, so a stride-0 broadcast view costs nothing.
 */
final class AttentionScores {
    private final NdArray q; // (B, Lq, E)
    private final NdArray k; // (B, Lk, E)
    private final NdArray mask; // (B, Lq, Lk) bool or float, or null
    private final boolean causal;
    private final double scale;

    AttentionScores(NdArray q, NdArray k, AttentionSpec p) {
        this.q = q;
        this.k = k;
        this.mask = p.mask();
        this.causal = p.causal();
        this.scale = p.scale();
    }

    /** Keys a query block [i0, i0 + bq) can see at all: causality hides every key past its last query. */
    int keyEnd(int i0, int bq) {
        return causal ? Math.min(k.size(1), i0 + bq) : k.size(1);
    }

    /** First query that can see key j0 at all: causality hides key j0 from every earlier query. */
    int firstQuery(int j0) {
        return causal ? Math.min(j0, q.size(1)) : 0;
    }

    /** Keys [j0, j0 + visible) of a tile of bk keys that query i may see by causality (all bk without it). */
    int visible(int i, int j0, int bk) {
        return causal ? Math.max(0, Math.min(bk, i + 1 - j0)) : bk;
    }

    /** s (bq, bk), row-major with row length bk. */
    void tile(TileGemm gemm, int b, int i0, int bq, int j0, int bk, double[] s) {
        gemm.mul(bq, bk, q.size(2), TileGemm.Operand.rows(q, b, i0), TileGemm.Operand.rows(k, b, j0).transposed(), s, bk,
                false);
        for (int r = 0; r < bq; r++) {
            int row = r * bk;
            for (int c = 0; c < bk; c++) {
                s[row + c] *= scale;
            }
            if (mask != null) {
                addMask(b, i0 + r, j0, bk, s, row);
            }
            if (causal) {
                for (int c = visible(i0 + r, j0, bk); c < bk; c++) {
                    s[row + c] = Double.NEGATIVE_INFINITY;
                }
            }
        }
    }

    private void addMask(int b, int i, int j0, int bk, double[] s, int row) {
        int off = mask.storageOffset() + b * mask.stride(0) + i * mask.stride(1) + j0 * mask.stride(2);
        int step = mask.stride(2);
        Object data = DoubleBlocks.data(mask);
        if (mask.dtype() == DType.BOOL) {
            boolean[] keep = (boolean[]) data;
            for (int c = 0; c < bk; c++) {
                if (!keep[off + c * step]) {
                    s[row + c] = Double.NEGATIVE_INFINITY;
                }
            }
        } else {
            for (int c = 0; c < bk; c++) {
                s[row + c] += DoubleBlocks.get(data, off + c * step);
            }
        }
    }
}
