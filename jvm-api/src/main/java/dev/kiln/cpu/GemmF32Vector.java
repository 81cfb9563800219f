package dev.kiln.cpu;

import jdk.incubator.vector.FloatVector;

/**
 * float32 GEMM on the Vector API (jdk.incubator.vector), for 256- and 512-bit vectors (AVX2, AVX-512):
 * the BLIS scheme. A is packed into zero-padded tiles of MR rows (each k-step's MR values side by side), or, when
 * row-major with few columns of C to share it, read in place; B is packed one tile of NR columns at a time by the
 * task that uses it (once for all tasks when several share it); the micro-kernel ({@link GemmF32Tiles})
 * keeps an MR x NR tile of C in vector registers over KC k-steps, then adds it to C. Measured on an
 * AVX-512 EPYC: the kernel alone at ~215 GFLOP/s on one core, about the core's peak. Loaded only through
 * {@link CpuGemm} when the module is in the boot layer (the kiln launcher adds it; library users may), so
 * nothing else depends on it.
 *
 * <p>Sums are fused multiply-adds, in k order within each block of KC steps, blocks added to C in
 * order: results differ from the plain and auto-vectorised kernels' (unfused) in the last bits.
 */
final class GemmF32Vector {
    private static final int LANES = GemmF32Tiles.LANES;
    private static final int MR = GemmF32Tiles.MR;
    private static final int NR = GemmF32Tiles.NR;
    /** k-steps per pass over a B tile: its KC x NR block (16 or 32 KiB) stays in L1 while every row tile uses it. */
    private static final int KC = 256;
    /**
     * Column tiles a sink's task covers: a sink takes rows this wide (up to 128 columns), so its
     * per-call work (conv2d's col2im, a packer's index arithmetic) is spread over 4x the columns.
     */
    private static final int SINK_TILES = 4;
    /** Tasks a parallel product is cut into per thread, at least. */
    private static final int TASKS_PER_THREAD = 8;
    /** k-steps per block of B^T's transposition while packing. */
    private static final int TRANSPOSE_STEPS = 16;
    /**
     * Most columns of C for which a row-major A is read in place rather than packed: with at most 4 column strips
     * sharing it, packing A (a transposition of MR-row tiles) costs more than reading its rows where they are.
     */
    private static final int IN_PLACE_MAX_N = 4 * NR;
    /** Most floats of packed A a product works from at once (512 KiB: within a core's L2). */
    private static final int A_SLICE = 1 << 17;
    /** Floats a thread keeps in its buffers between products; larger ones are allocated per call. */
    private static final int KEEP_LIMIT = 1 << 20;
    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    private GemmF32Vector() {
    }

    /**
     * Whether this machine's preferred vectors are 256 or 512 bits wide (AVX2, AVX-512): the JIT compiles a species only
     * up to its MaxVectorSize, and a wider one runs the Vector API's Java fallback (0.5 GFLOP/s against 25 for the
     * plain loops, measured with 512-bit vectors on an AVX2 EPYC).
     */
    static boolean usable() {
        return GemmF32Tiles.S.vectorBitSize() >= 256;
    }

    /**
     * C[i][j] at c[cOff + i * cRs + j * cCs] (+)= sum_p A[i][p] B[p][j], A[i][p] at a[aOff + i * aRs + p * aCs],
     * B[p][j] at b[bOff + p * bRs + j * bCs]; m, n, k >= 1. Tasks (a tile of B's columns and a range of row
     * tiles each) run in parallel when asked.
     */
    static void gemm(int m, int n, int k, float[] a, int aOff, int aRs, int aCs, float[] b, int bOff, int bRs, int bCs,
                     float[] c, int cOff, int cRs, int cCs, boolean accumulate, boolean parallel) {
        int ks = kSlice(m, k);
        if (ks < k) {
            for (int p0 = 0; p0 < k; p0 += ks) {
                gemm(m, n, Math.min(ks, k - p0), a, aOff + p0 * aCs, aRs, aCs, b, bOff + p0 * bRs, bRs, bCs, c, cOff, cRs, cCs,
                        accumulate || p0 > 0, parallel);
            }
            return;
        }
        if (transposes(m, n, k, aCs, bRs, bCs)) { // C^T (n, m) = B^T A^T: B^T's rows read in place
            run(n, m, k, b, bOff, bCs, bRs, (j0, nr, dst, width) -> packB(k, a, aOff, aCs, aRs, j0, nr, dst),
                    new Output(c, cOff, cCs, cRs, accumulate, null), parallel);
        } else {
            run(m, n, k, a, aOff, aRs, aCs, (j0, nr, dst, width) -> packB(k, b, bOff, bRs, bCs, j0, nr, dst),
                    new Output(c, cOff, cRs, cCs, accumulate, null), parallel);
        }
    }

    /**
     * k-steps per slice of a product whose packed A would outgrow {@link #A_SLICE} floats (a weight gradient's
     * (512, 4096) x (4096, 128)): slice by slice, A's packed slice stays in L2 while every column strip reads it, where
     * all of it (8 MB) came from memory once per strip; k itself when A fits, or when even KC steps of it would not.
     */
    private static int kSlice(int m, int k) {
        long rows = (m + MR - 1) / MR * (long) MR;
        if (rows * k <= A_SLICE || rows * KC > A_SLICE) {
            return k;
        }
        return (int) (A_SLICE / rows / KC * KC);
    }

    /**
     * Whether A (m, k) B with A row-major and B^T row-major (x @ W^T, W (n, k): a linear layer's forward, an LSTM's
     * hidden product) runs as C^T = B^T A^T. Either way one operand is transposed while packed: B^T (n x k floats) as
     * it is, A (m x k) and C's tiles (m x n) when turned round, where B^T's rows are read in place. Turned round when
     * that moves fewer floats and m is within the in-place limit: the MLP's (64, 784) @ (784, 256)^T 226-233 -> 152-159
     * us, an LSTM's (64, 256) @ (256, 1024)^T 280-296 -> 198-209 us (Zen 5, 2 threads, best of 4,000 calls).
     */
    private static boolean transposes(int m, int n, int k, int aCs, int bRs, int bCs) {
        return aCs == 1 && bRs == 1 && bCs != 1 && m <= IN_PLACE_MAX_N && (long) m * (k + n) < (long) n * k;
    }

    /**
     * As {@link GemmF32}'s entry of the same shape: B (k, n) delivered by a packer, each row of C handed
     * to a sink once complete (a tile's columns at a time); tasks run one after another unless parallel.
     */
    static void gemm(int m, int n, int k, float[] a, int aOff, int aRs, int aCs, PackedGemm.GroupPacker b,
                     PackedGemm.RowSink c, boolean parallel) {
        run(m, n, k, a, aOff, aRs, aCs, (j0, nc, dst, width) -> {
            java.util.Arrays.fill(dst, 0, k * width, 0f);
            b.pack(0, k, j0, nc, dst, width);
        }, new Output(null, 0, 0, 0, false, c), parallel);
    }

    /** Fills dst[p * width + j] = B[p][j0 + j] for p &lt; k, j &lt; nc, and 0 for the other columns of width. */
    @FunctionalInterface
    private interface TilePacker {
        void pack(int j0, int nc, float[] dst, int width);
    }

    /** Where C goes: an array through strides ((+)= in place), or, when sink is set, row by row to it. */
    private record Output(float[] c, int off, int rs, int cs, boolean accumulate, PackedGemm.RowSink sink) {
    }

    private static void run(int m, int n, int k, float[] a, int aOff, int aRs, int aCs, TilePacker packB, Output out,
                            boolean parallel) {
        int mTiles = (m + MR - 1) / MR;
        int stripWidth = out.sink() == null ? NR : NR * SINK_TILES; // columns of a task
        int nTiles = (n + stripWidth - 1) / stripWidth;
        Buffers caller = Buffers.claim();
        try {
            boolean inPlace = aCs == 1 && out.sink() == null && n <= IN_PLACE_MAX_N;
            int firstPacked = inPlace ? mTiles - 1 : 0; // read in place, A keeps only its last tile packed
            float[] packedA = caller.packedA((mTiles - firstPacked) * MR * k);
            int threads = parallel ? Parallel.threads() : 1;
            ASource aSrc = new ASource(packedA, firstPacked, a, aOff, aRs, inPlace, m);
            if (inPlace) { // only a partial last tile: its rows past m read as zeros
                if (m % MR != 0) {
                    packA(mTiles - 1, mTiles, m, k, a, aOff, aRs, aCs, packedA, firstPacked);
                }
            } else if (threads == 1) {
                packA(0, mTiles, m, k, a, aOff, aRs, aCs, packedA, 0);
            } else { // every task reads all of A when there are few row tiles: packing it alone would idle the team
                Parallel.forRange(mTiles, 1, (t0, t1) -> packA(t0, t1, m, k, a, aOff, aRs, aCs, packedA, 0));
            }
            // enough tasks for every thread: column tiles, each split into row ranges when there are few. Eight
            // per thread, so a thread that starts late (a parked worker) still gets its share: with two per thread, a
            // transformer's (4096, 64) x (64, n) products left the caller waiting for the worker's last task
            int rowChunks = threads == 1 ? 1
                    : Math.min(mTiles, Math.max(1, (TASKS_PER_THREAD * threads + nTiles - 1) / nTiles));
            int chunkTiles = (mTiles + rowChunks - 1) / rowChunks;
            // strips shared by several row chunks are packed once, before them (a product turned round has few strips)
            float[][] strips = rowChunks == 1 ? null : caller.strips(nTiles, stripWidth * k);
            if (strips != null) {
                Parallel.forRange(nTiles, 1, (s0, s1) -> {
                    for (int tn = s0; tn < s1; tn++) {
                        int nc = Math.min(stripWidth, n - tn * stripWidth);
                        packB.pack(tn * stripWidth, nc, strips[tn], (nc + NR - 1) / NR * NR);
                    }
                });
            }
            Thread callerThread = Thread.currentThread();
            Parallel.Range body = (t0, t1) -> {
                Buffers own = Thread.currentThread() == callerThread ? caller : Buffers.claim();
                try {
                    for (int task = t0; task < t1; task++) {
                        int tn = task / rowChunks;
                        int tm0 = task % rowChunks * chunkTiles;
                        int j0 = tn * stripWidth;
                        int nc = Math.min(stripWidth, n - j0);
                        int width = (nc + NR - 1) / NR * NR;
                        float[] packedB = strips != null ? strips[tn] : own.packedB(width * k);
                        if (strips == null) {
                            packB.pack(j0, nc, packedB, width);
                        }
                        int tm1 = Math.min(mTiles, tm0 + chunkTiles);
                        if (out.sink() == null) {
                            intoArray(m, k, aSrc, packedB, tm0, tm1, j0, nc, own.tile, out);
                        } else {
                            intoSink(m, k, packedA, packedB, width, tm0, tm1, j0, nc, own.tile, out.sink());
                        }
                    }
                } finally {
                    if (own != caller) {
                        own.release();
                    }
                }
            };
            if (threads == 1) {
                body.run(0, nTiles * rowChunks);
            } else {
                Parallel.forRange(nTiles * rowChunks, 1, body);
            }
        } finally {
            caller.release();
        }
    }

    /**
     * Row tiles [tm0, tm1) of one column tile into the array. Full tiles of a strip whose columns are contiguous in C go
     * straight into C, k in blocks of KC outermost, so each block of packed B stays in L1 while every row tile uses it;
     * the others (a narrow strip, C's tiles turned round) sum all of k in the edge tile, then merge into C once.
     */
    private static void intoArray(int m, int k, ASource a, float[] packedB, int tm0, int tm1, int j0, int nr,
                                  float[] tile, Output out) {
        boolean direct = nr == NR && out.cs() == 1;
        for (int p0 = 0; p0 < k; p0 += KC) {
            int kc = Math.min(KC, k - p0);
            boolean add = out.accumulate() || p0 > 0;
            for (int tm = tm0; tm < tm1; tm++) {
                int i0 = tm * MR;
                if (direct && i0 + MR <= m) {
                    kernel(a, tm, p0, kc, k, packedB, out.c(), out.off() + i0 * out.rs() + j0, out.rs(), add);
                }
            }
        }
        for (int tm = tm0; tm < tm1; tm++) {
            int i0 = tm * MR;
            int mr = Math.min(MR, m - i0);
            if (!direct || mr < MR) {
                for (int p0 = 0; p0 < k; p0 += KC) {
                    kernel(a, tm, p0, Math.min(KC, k - p0), k, packedB, tile, 0, NR, p0 > 0);
                }
                merge(tile, mr, nr, out.c(), out.off() + i0 * out.rs() + j0 * out.cs(), out.rs(), out.cs(),
                        out.accumulate());
            }
        }
    }

    /** The micro-kernel on row tile tm of A, k-steps [p0, p0 + kc), into the MR x NR tile of c at co (rows ldc apart). */
    private static void kernel(ASource a, int tm, int p0, int kc, int k, float[] packedB, float[] c, int co, int ldc,
                               boolean add) {
        if (a.packedTile(tm)) {
            GemmF32Tiles.kernel(kc, a.packed(), ((tm - a.firstPacked()) * k + p0) * MR, 1, MR, packedB, p0 * NR, NR, c, co,
                    ldc, add);
        } else {
            GemmF32Tiles.kernel(kc, a.a(), a.off() + tm * MR * a.rs() + p0, a.rs(), 1, packedB, p0 * NR, NR, c, co, ldc,
                    add);
        }
    }

    /**
     * Where the kernels read A: packed tiles (from tile firstPacked on), or (inPlace) the rows of a row-major A where they
     * are, rs apart, all but a partial last tile, which stays packed (its rows past m zero).
     */
    private record ASource(float[] packed, int firstPacked, float[] a, int off, int rs, boolean inPlace, int m) {
        boolean packedTile(int tm) {
            return !inPlace || (tm + 1) * MR > m;
        }
    }

    /**
     * Row tiles [tm0, tm1) of one strip of columns (packed B width columns wide) to the sink: each MR-row
     * strip summed over all of k, a column tile at a time, then its rows handed over.
     */
    private static void intoSink(int m, int k, float[] packedA, float[] packedB, int width, int tm0, int tm1, int j0,
                                 int nc, float[] tile, PackedGemm.RowSink sink) {
        for (int tm = tm0; tm < tm1; tm++) {
            int i0 = tm * MR;
            for (int jt = 0; jt < width; jt += NR) {
                for (int p0 = 0; p0 < k; p0 += KC) {
                    GemmF32Tiles.kernel(Math.min(KC, k - p0), packedA, (tm * k + p0) * MR, 1, MR, packedB, p0 * width + jt,
                            width, tile, jt, width, p0 > 0);
                }
            }
            for (int i = 0; i < Math.min(MR, m - i0); i++) {
                sink.take(i0 + i, j0, nc, tile, i * width);
            }
        }
    }

    /**
     * dst[((t - first) * k + p) * MR + i] = A[t * MR + i][p] for row tiles t in [t0, t1) (first &lt;= t0: dst starts at
     * tile first), 0 for rows past m.
     */
    private static void packA(int t0, int t1, int m, int k, float[] a, int aOff, int aRs, int aCs, float[] dst, int first) {
        for (int i0 = t0 * MR; i0 < Math.min(m, t1 * MR); i0 += MR) {
            int mr = Math.min(MR, m - i0);
            int base = (i0 - first * MR) * k;   // ((tile - first) * k) * MR with tile = i0 / MR
            if (aRs == 1) {       // A^T stored row-major: the MR values of a k-step are contiguous
                for (int p = 0; p < k; p++) {
                    int to = base + p * MR;
                    int from = aOff + i0 + p * aCs;
                    for (int i = 0; i < MR; i++) { // moves, not an arraycopy call per 8 floats (~3x faster)
                        dst[to + i] = i < mr ? a[from + i] : 0f;
                    }
                }
            } else {
                for (int i = 0; i < MR; i++) {
                    if (i < mr) {
                        int from = aOff + (i0 + i) * aRs;
                        for (int p = 0; p < k; p++) {
                            dst[base + p * MR + i] = a[from + p * aCs];
                        }
                    } else {
                        for (int p = 0; p < k; p++) {
                            dst[base + p * MR + i] = 0f;
                        }
                    }
                }
            }
        }
    }

    /** dst[p * NR + j] = B[p][j0 + j] for j < nr, 0 for the rest of the NR columns. */
    private static void packB(int k, float[] b, int bOff, int bRs, int bCs, int j0, int nr, float[] dst) {
        if (bCs == 1 && nr == NR) { // two vectors a row: an arraycopy call per row cost more than its 64 bytes
            for (int p = 0; p < k; p++) {
                int from = bOff + p * bRs + j0;
                FloatVector.fromArray(GemmF32Tiles.S, b, from).intoArray(dst, p * NR);
                FloatVector.fromArray(GemmF32Tiles.S, b, from + LANES).intoArray(dst, p * NR + LANES);
            }
            return;
        }
        if (bCs == 1) {
            for (int p = 0; p < k; p++) {
                for (int j = 0; j < NR; j++) {
                    dst[p * NR + j] = j < nr ? b[bOff + p * bRs + j0 + j] : 0f;
                }
            }
            return;
        }
        // B^T stored row-major (x @ W^T): column j0 + j is contiguous in p. Transposed in blocks of
        // TRANSPOSE_STEPS k-steps, four columns per pass, so reads and writes stay in L1 (a gather per
        // k-step measured slower).
        for (int p0 = 0; p0 < k; p0 += TRANSPOSE_STEPS) {
            int p1 = Math.min(k, p0 + TRANSPOSE_STEPS);
            int j = 0;
            for (; j + 3 < nr; j += 4) {
                int f0 = bOff + (j0 + j) * bCs;
                int f1 = f0 + bCs;
                int f2 = f1 + bCs;
                int f3 = f2 + bCs;
                for (int p = p0; p < p1; p++) {
                    int to = p * NR + j;
                    dst[to] = b[f0 + p * bRs];
                    dst[to + 1] = b[f1 + p * bRs];
                    dst[to + 2] = b[f2 + p * bRs];
                    dst[to + 3] = b[f3 + p * bRs];
                }
            }
            for (; j < NR; j++) {
                int from = bOff + (j0 + j) * bCs;
                for (int p = p0; p < p1; p++) {
                    dst[p * NR + j] = j < nr ? b[from + p * bRs] : 0f;
                }
            }
        }
    }

    /** C (mr, nr) at c[at + i * rs + j * cs] (+)= tile[i * NR + j]. */
    private static void merge(float[] tile, int mr, int nr, float[] c, int at, int rs, int cs, boolean add) {
        if (rs == 1 && cs != 1) { // C^T's tile (a product turned round): C's rows hold its columns
            for (int j = 0; j < nr; j++) {
                for (int i = 0; i < mr; i++) {
                    int to = at + i + j * cs;
                    c[to] = add ? c[to] + tile[i * NR + j] : tile[i * NR + j];
                }
            }
            return;
        }
        for (int i = 0; i < mr; i++) {
            for (int j = 0; j < nr; j++) {
                int to = at + i * rs + j * cs;
                c[to] = add ? c[to] + tile[i * NR + j] : tile[i * NR + j];
            }
        }
    }

    /**
     * A thread's packing buffers and edge tile, reused from one product to the next. A product whose
     * packer or sink multiplies again on the same thread finds them in use and gets buffers of its own.
     */
    private static final class Buffers {
        private float[] packedA = new float[0];
        private float[] packedB = new float[0];
        private static final float[] EMPTY = new float[0];
        private float[][] strips = new float[0][];
        final float[] tile = new float[MR * NR * SINK_TILES];
        private boolean inUse;

        /** This thread's buffers, or fresh ones while they are in use; give them back with {@link #release}. */
        static Buffers claim() {
            Buffers mine = BUFFERS.get();
            Buffers b = mine.inUse ? new Buffers() : mine;
            b.inUse = true;
            return b;
        }

        void release() {
            inUse = false;
        }

        float[] packedA(int size) {
            packedA = kept(packedA, size);
            return packedA.length < size ? new float[size] : packedA;
        }

        float[] packedB(int size) {
            packedB = kept(packedB, size);
            return packedB.length < size ? new float[size] : packedB;
        }

        /** count arrays of at least size floats each, for B's strips packed once. */
        float[][] strips(int count, int size) {
            if (strips.length < count) {
                strips = java.util.Arrays.copyOf(strips, count);
            }
            float[][] out = new float[count][];
            for (int i = 0; i < count; i++) {
                strips[i] = kept(strips[i] == null ? EMPTY : strips[i], size);
                out[i] = strips[i].length < size ? new float[size] : strips[i];
            }
            return out;
        }

        /** current, or a fresh array of size floats in its place when current is smaller and size is within the limit. */
        private static float[] kept(float[] current, int size) {
            return current.length >= size || size > KEEP_LIMIT ? current : new float[size];
        }
    }
}
