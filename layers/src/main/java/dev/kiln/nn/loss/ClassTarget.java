package dev.kiln.nn.loss;

import dev.kiln.DType;
import dev.kiln.Shape;
import dev.kiln.Tensor;
import java.util.Arrays;
import java.util.function.BinaryOperator;

/**
 * Class-index targets for NLL and cross entropy (and their unbatched (C) form), flattened: input (N, C, d...) becomes rows (M, C)
 * with M = N * d..., the target (N, d...) a column (M, 1) with ignored entries replaced by class 0,
 * and each row's weight (M) is w[target] or 0 where ignored.
 */
record ClassTarget(Tensor rows, Tensor index, Tensor rowWeight, Tensor kept, int[] targetShape) {
    static ClassTarget of(String loss, Tensor input, Tensor target, Tensor weight, long ignoreIndex) {
        if (target.dtype() != DType.INT64) {
            throw new IllegalArgumentException(loss + ": class-index target must be int64, got " + target.dtype());
        }
        checkRank(loss, input);
        int c = input.size(1);
        int[] expected = new int[input.dim() - 1];
        expected[0] = input.size(0);
        System.arraycopy(input.shape(), 2, expected, 1, input.dim() - 2);
        if (!Arrays.equals(target.shape(), expected)) {
            throw new IllegalArgumentException(loss + ": target of shape " + Shape.str(target.shape()) + " must be "
                    + Shape.str(expected) + " for input " + Shape.str(input.shape()));
        }
        if (weight != null && (weight.dim() != 1 || weight.size(0) != c)) {
            throw new IllegalArgumentException(loss + ": weight of shape " + Shape.str(weight.shape()) + " must be (" + c + ",)");
        }
        Tensor rows = classesLast(input).reshape(-1, c); // (M, C)
        Tensor flat = target.reshape(-1); // (M)
        Tensor kept = flat.ne(ignoreIndex); // (M) bool
        checkClasses(loss, flat.toLongArray(), c, ignoreIndex);
        Tensor safe = Tensor.where(kept, flat, Tensor.zerosLike(flat)); // ignored -> class 0, weight 0 below
        Tensor keptF = kept.to(input.dtype());
        Tensor rowWeight = weight == null ? keptF : weight.to(input.dtype()).indexSelect(0, safe).mul(keptF);
        return new ClassTarget(rows, safe.reshape(-1, 1), rowWeight, kept, target.shape());
    }

    /**
     * Every target in [0, c) unless ignored. A method of its own: a loop over the batch inside {@link #of} made C2 compile
     * all of of's tensor calls with it (0.4-0.7 s of compiler time in an MLP's first epoch on 2 cores).
     */
    private static void checkClasses(String loss, long[] targets, int c, long ignoreIndex) {
        for (long v : targets) {
            if (v != ignoreIndex && (v < 0 || v >= c)) {
                throw new IllegalArgumentException(loss + ": target " + v + " is out of bounds for " + c + " classes");
            }
        }
    }

    static void checkRank(String loss, Tensor input) {
        if (input.dim() < 2) {
            throw new IllegalArgumentException(loss + ": input must be (C), (N, C) or (N, C, d...), got shape "
                    + Shape.str(input.shape()));
        }
    }

    /**
     * Unbatched input (C) with a class-index target () or probabilities (C), as PyTorch: computed by
     * {@code batched} as a batch of one, whose dim a NONE reduction then drops again.
     */
    static Tensor unbatched(String loss, Tensor input, Tensor target, Reduction reduction, BinaryOperator<Tensor> batched) {
        int[] expected = target.dtype().isFloatingPoint() ? input.shape() : new int[0];
        if (!Arrays.equals(target.shape(), expected)) {
            throw new IllegalArgumentException(loss + ": for unbatched input of shape " + Shape.str(input.shape())
                    + " the target must be a class index of shape [] or probabilities of shape " + Shape.str(input.shape())
                    + ", got " + target.dtype() + " " + Shape.str(target.shape()));
        }
        Tensor y = batched.apply(input.unsqueeze(0), target.unsqueeze(0)); // (1, C) and (1) or (1, C)
        return reduction == Reduction.NONE ? y.squeeze(0) : y;
    }

    /** (N, C, d...) -> (N, d..., C). */
    static Tensor classesLast(Tensor x) {
        int[] perm = new int[x.dim()];
        perm[0] = 0;
        for (int i = 2; i < x.dim(); i++) {
            perm[i - 1] = i;
        }
        perm[x.dim() - 1] = 1;
        return x.permute(perm);
    }

    /** -w[y] * rows[y] per row (M). */
    Tensor weightedNll() {
        return rows.gather(1, index).reshape(-1).mul(rowWeight).neg();
    }

    /** Per-row losses (M) reduced as NLL: weighted mean divides by the summed row weights. */
    Tensor reduce(String loss, Tensor perRow, Reduction reduction) {
        switch (reduction) {
            case NONE: return perRow.reshape(targetShape);
            case SUM: return perRow.sum();
            case MEAN: return perRow.sum().div(rowWeight.sum());
            default: throw new IllegalArgumentException(loss + ": reduction " + reduction + " is only for KLDivLoss");
        }
    }
}
