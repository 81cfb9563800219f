package dev.kiln.nn.parallel;

import dev.kiln.DType;
import dev.kiln.Shape;
import dev.kiln.Tensor;
import dev.kiln.distributed.DistributedException;
import dev.kiln.distributed.ProcessGroup;
import java.util.Arrays;
import java.util.List;

/**
 * Checks at wrap time that every rank holds the same model: as many parameters, each with the same
 * dtype and shape in the same order (PyTorch's _verify_param_shape_across_processes). Every rank
 * gathers every rank's description and compares it with rank 0's, so all throw the same error.
 */
final class ModelSignature {
    private static final int MAX_DIMS = 8; // dims beyond these are compared through the element count
    private static final int WIDTH = MAX_DIMS + 3; // dtype, rank, numel, dims

    private ModelSignature() {
    }

    static void verify(ProcessGroup group, List<String> names, List<Tensor> params) {
        Tensor count = Tensor.fromArray(new long[] {params.size()}, 1);
        long[] counts = group.allGather(count).toLongArray();
        for (int r = 1; r < counts.length; r++) {
            if (counts[r] != counts[0]) {
                throw new DistributedException("DistributedDataParallel: rank " + r + " has " + counts[r]
                        + " parameters that require grad, rank 0 has " + counts[0] + "; every rank must wrap the same model");
            }
        }
        if (params.isEmpty()) {
            return;
        }
        long[] mine = new long[params.size() * WIDTH];
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            int at = i * WIDTH;
            mine[at] = p.dtype().ordinal();
            mine[at + 1] = p.dim();
            mine[at + 2] = p.numel();
            for (int d = 0; d < Math.min(p.dim(), MAX_DIMS); d++) {
                mine[at + 3 + d] = p.size(d);
            }
        }
        long[] all = group.allGather(Tensor.fromArray(mine, mine.length)).toLongArray();
        for (int r = 1; r < counts.length; r++) {
            for (int i = 0; i < params.size(); i++) {
                long[] theirs = Arrays.copyOfRange(all, (r * params.size() + i) * WIDTH, (r * params.size() + i + 1) * WIDTH);
                long[] first = Arrays.copyOfRange(all, i * WIDTH, (i + 1) * WIDTH);
                if (!Arrays.equals(theirs, first)) {
                    throw new DistributedException("DistributedDataParallel: parameter " + i + " (" + names.get(i)
                            + " here on rank " + group.rank() + ") is " + describe(first) + " on rank 0 but "
                            + describe(theirs) + " on rank " + r + "; every rank must wrap the same model");
                }
            }
        }
    }

    private static String describe(long[] row) {
        int dims = (int) row[1];
        int[] shape = new int[Math.min(dims, MAX_DIMS)];
        for (int d = 0; d < shape.length; d++) {
            shape[d] = (int) row[3 + d];
        }
        String more = dims > MAX_DIMS ? " (" + dims + " dims, " + row[2] + " elements)" : "";
        return DType.values()[(int) row[0]] + " " + Shape.str(shape) + more;
    }
}
