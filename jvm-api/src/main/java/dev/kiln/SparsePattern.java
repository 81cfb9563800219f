package dev.kiln;

import java.util.Arrays;

/**
 * Where a rows x cols sparse matrix has its entries, in compressed sparse rows (CSR): int64 tensors on
 * one device, {@code crowIndices} (rows + 1), {@code colIndices} (nnz) and {@code rowIndices} (nnz, the
 * row of each entry, for kernels that go entry by entry). Within a row, entries are ordered by column.
 * Built on the host, where every index is checked once, so kernels trust them. A position given twice
 * stays two entries; in a product they add up, as an uncoalesced {@code torch.sparse_coo_tensor}'s do.
 * Immutable; the values live apart ({@link SparseMatrix}), so one pattern serves many value vectors.
 */
public final class SparsePattern {
    private final int rows;
    private final int cols;
    private final long[] crow;   // host copies: the transpose is built from them
    private final long[] col;
    private final Tensor crowIndices;
    private final Tensor colIndices;
    private final Tensor rowIndices;
    private Transposed transposed;

    /** The transpose, and for each of its entries the entry of this pattern it came from. */
    private record Transposed(SparsePattern pattern, Tensor order) {
    }

    private SparsePattern(int rows, int cols, long[] crow, long[] col, Device device) {
        this.rows = rows;
        this.cols = cols;
        this.crow = crow;
        this.col = col;
        long[] row = entryRows(crow, rows);
        this.crowIndices = onDevice(crow, device);
        this.colIndices = onDevice(col, device);
        this.rowIndices = onDevice(row, device);
    }

    /**
     * The pattern of COO entries (rowIdx[e], colIdx[e]) and, in {@code order}, for each CSR entry the
     * COO entry it holds (stable: equal positions keep their order).
     */
    static SparsePattern fromCoo(long[] rowIdx, long[] colIdx, int rows, int cols, Device device, long[] order) {
        checkSize("rows", rows);
        checkSize("cols", cols);
        int nnz = rowIdx.length;
        for (int e = 0; e < nnz; e++) {
            if (rowIdx[e] < 0 || rowIdx[e] >= rows || colIdx[e] < 0 || colIdx[e] >= cols) {
                throw new IndexOutOfBoundsException("sparse_coo_tensor: entry " + e + " at (" + rowIdx[e] + ", "
                        + colIdx[e] + ") is outside the " + rows + " x " + cols + " matrix");
            }
        }
        long[] byCol = countingSort(colIdx, cols, identity(nnz));   // stable: by column, then entry
        long[] sorted = countingSort(rowIdx, rows, byCol);           // by row, then column, then entry
        System.arraycopy(sorted, 0, order, 0, nnz);
        long[] col = new long[nnz];
        for (int e = 0; e < nnz; e++) {
            col[e] = colIdx[(int) sorted[e]];
        }
        return new SparsePattern(rows, cols, rowPointers(rowIdx, rows), col, device);
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** The number of stored entries. */
    public int nnz() {
        return col.length;
    }

    public Device device() {
        return colIndices.device();
    }

    /** (rows + 1) int64: row r's entries are [crow[r], crow[r + 1]), as torch's {@code crow_indices()}. */
    public Tensor crowIndices() {
        return crowIndices;
    }

    /** (nnz) int64: each entry's column, as torch's {@code col_indices()}. */
    public Tensor colIndices() {
        return colIndices;
    }

    /** (nnz) int64: each entry's row. */
    public Tensor rowIndices() {
        return rowIndices;
    }

    /** row * cols + col of each entry: its position in the dense matrix, row-major. */
    long[] flatPositions() {
        long[] flat = entryRows(crow, rows);
        for (int e = 0; e < flat.length; e++) {
            flat[e] = flat[e] * cols + col[e];
        }
        return flat;
    }

    /** This pattern on another device (the same object when it is there already). */
    public SparsePattern to(Device device) {
        return device.equals(device()) ? this : new SparsePattern(rows, cols, crow, col, device);
    }

    /** The cols x rows pattern of the transpose (built once, on the host). */
    public SparsePattern transpose() {
        return transposed().pattern();
    }

    /** (nnz) int64 on this pattern's device: entry e of {@link #transpose()} is entry order[e] of this one. */
    public Tensor transposeOrder() {
        return transposed().order();
    }

    private synchronized Transposed transposed() {
        if (transposed == null) {
            int nnz = nnz();
            long[] row = entryRows(crow, rows);
            long[] order = countingSort(col, cols, identity(nnz));   // by column, then row (CSR order is by row)
            long[] tcol = new long[nnz];
            long[] back = new long[nnz];
            for (int e = 0; e < nnz; e++) {
                tcol[e] = row[(int) order[e]];
                back[(int) order[e]] = e;
            }
            SparsePattern t = new SparsePattern(cols, rows, rowPointers(col, cols), tcol, device());
            t.transposed = new Transposed(this, onDevice(back, device()));
            transposed = new Transposed(t, onDevice(order, device()));
        }
        return transposed;
    }

    @Override
    public String toString() {
        return "SparsePattern(" + rows + " x " + cols + ", nnz=" + nnz() + ", device=" + device() + ")";
    }

    private static void checkSize(String name, int n) {
        if (n < 0) {
            throw new IllegalArgumentException("sparse_coo_tensor: " + name + " must be >= 0, got " + n);
        }
    }

    /** The row of each entry of CSR row pointers crow. */
    private static long[] entryRows(long[] crow, int rows) {
        long[] row = new long[(int) crow[rows]];
        for (int r = 0; r < rows; r++) {
            Arrays.fill(row, (int) crow[r], (int) crow[r + 1], r);
        }
        return row;
    }

    /**
     * values as an int64 tensor on device, persisted: the pattern owns it, so a MemoryScope open when the
     * pattern (or its transpose, built on first use, maybe mid-epoch) is made must not free it.
     */
    private static Tensor onDevice(long[] values, Device device) {
        return MemoryScope.persist(Tensor.fromArray(values, values.length).to(device));
    }

    private static long[] identity(int n) {
        long[] a = new long[n];
        Arrays.setAll(a, i -> i);
        return a;
    }

    /** The entries of {@code items} stably sorted by key[item] in [0, range). */
    private static long[] countingSort(long[] key, int range, long[] items) {
        int[] start = new int[range + 1];
        for (long item : items) {
            start[(int) key[(int) item] + 1]++;
        }
        for (int k = 0; k < range; k++) {
            start[k + 1] += start[k];
        }
        long[] out = new long[items.length];
        for (long item : items) {
            out[start[(int) key[(int) item]]++] = item;
        }
        return out;
    }

    /** CSR row pointers (range + 1) of entries whose rows are {@code key}. */
    private static long[] rowPointers(long[] key, int range) {
        long[] ptr = new long[range + 1];
        for (long k : key) {
            ptr[(int) k + 1]++;
        }
        for (int r = 0; r < range; r++) {
            ptr[r + 1] += ptr[r];
        }
        return ptr;
    }
}
