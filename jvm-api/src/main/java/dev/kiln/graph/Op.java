package dev.kiln.graph;

import dev.kiln.Conv2dParams;
import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Pool2dParams;
import dev.kiln.SparsePattern;
import dev.kiln.spi.BinaryOp;
import dev.kiln.spi.CustomFunction;
import dev.kiln.spi.ReduceOp;
import dev.kiln.spi.UnaryOp;

/**
 * What the tensor API did, as recorded in the autograd graph: one record per differentiable op,
 * holding the attributes its derivative rule needs (inputs and outputs are kept by the graph node).
 */
public sealed interface Op {
    /** The PyTorch-style name, for messages and {@code gradFn().name()}. */
    String name();

    /** Calls the visitor's method for this record. */
    <R> R accept(OpVisitor<R> v);

    // ---- views and copies (inputs: x)

    /** view/reshape/flatten/squeeze/unsqueeze of an input of {@code inputShape}. */
    record Reshape(int[] inputShape) implements Op {
        public String name() {
            return "reshape";
        }

        public <R> R accept(OpVisitor<R> v) {
            return v.visit(this);
        }
    }

    record Permute(int[] dims) implements Op {
        public String name() {
            return "permute";
        }

        public <R> R accept(OpVisitor<R> v) {
            return v.visit(this);
        }
    }

    record Expand(int[] inputShape) implements Op {
        public String name() {
            return "expand";
        }

        public <R> R accept(OpVisitor<R> v) {
            return v.visit(this);
        }
    }

    /** narrow/slice: elements start, start+step, ... (length of them) along dim. */
    record Slice(int[] inputShape, int dim, int start, int length, int step) implements Op {
        public String name() {
            return "slice";
        }

        public <R> R accept(OpVisitor<R> v) {
            return v.visit(this);
        }
    }

    record Select(int[] inputShape, int dim, int index) implements Op {
        public String name() {
            return "select";
        }

        public <R> R accept(OpVisitor<R> v) {
            return v.visit(this);
        }
    }

    /** Every slice along dim, with dim removed: one node with a view per index (its backward stacks them once). */
    record Unbind(int[] inputShape, int dim) implements Op {
        public String name() {
            return "unbind";
        }

        public <R> R accept(OpVisitor<R> v) {
            return v.visit(this);
        }
    }

    record Clone() implements Op {
        public String name() {
            return "clone";
        }

        public <R> R accept(OpVisitor<R> v) {
            return v.visit(this);
        }
    }

    record Cast(DType from) implements Op {
        public String name() {
            return "to";
        }

        public <R> R accept(OpVisitor<R> v) {
            return v.visit(this);
        }
    }

    record ToDevice(Device from) implements Op {
        public String name() {
            return "to";
        }

        public <R> R accept(OpVisitor<R> v) {
            return v.visit(this);
        }
    }

    // ---- elementwise (inputs: x | a, b | cond, a, b)

    record Unary(UnaryOp op) implements Op {
        public String name() {
            return op.opName();
        }

        public <R> R accept(OpVisitor<R> v) {
            return v.visit(this);
        }
    }

    record Binary(BinaryOp op) implements Op {
        public String name() {
            return op.opName();
        }

        public <R> R accept(OpVisitor<R> v) {
            return v.visit(this);
        }
    }

    record Where() implements Op {
        public String name() {
            return "where";
        }

        public <R> R accept(OpVisitor<R> v) {
            return v.visit(this);
        }
    }

    // ---- reductions (inputs: x)

    record Reduce(ReduceOp op, int[] dims, boolean keepdim) implements Op {
        public String name() {
            return op.opName();
        }

        public <R> R accept(OpVisitor<R> v) {
            return v.visit(this);
        }
    }

    /** max/min along dim; outputs: values, indices. */
    record ReduceWithIndices(ReduceOp op, int dim, boolean keepdim) implements Op {
        public String name() {
            return op == ReduceOp.MAX ? "max" : "min";
        }

        public <R> R accept(OpVisitor<R> v) {
            return v.visit(this);
        }
    }

    record Variance(int[] dims, double correction, boolean keepdim) implements Op {
        public String name() {
            return "var";
        }

        public <R> R accept(OpVisitor<R> v) {
            return v.visit(this);
        }
    }

    // ---- linear algebra and indexing

    /** inputs: a (..., M, K), b (..., K, N), both rank >= 2. */
    record Matmul() implements Op {
        public String name() {
            return "matmul";
        }

        public <R> R accept(OpVisitor<R> v) {
            return v.visit(this);
        }
    }

    /** inputs: values (nnz) of a sparse (M, K) matrix with this pattern, x (K, N) dense. */
    record SparseMm(SparsePattern pattern) implements Op {
        public String name() {
            return "sparse_mm";
        }

        public <R> R accept(OpVisitor<R> v) {
            return v.visit(this);
        }
    }

    /** inputs: a (M, K), b (K, N); output: (a @ b) at the pattern's entries, (nnz). */
    record SampledMm(SparsePattern pattern) implements Op {
        public String name() {
            return "sampled_mm";
        }

        public <R> R accept(OpVisitor<R> v) {
            return v.visit(this);
        }
    }

    /** inputs: x, index. */
    record Gather(int dim) implements Op {
        public String name() {
            return "gather";
        }

        public <R> R accept(OpVisitor<R> v) {
            return v.visit(this);
        }
    }

    /** inputs: x, index, src. */
    record ScatterAdd(int dim) implements Op {
        public String name() {
            return "scatter_add";
        }

        public <R> R accept(OpVisitor<R> v) {
            return v.visit(this);
        }
    }

    /** inputs: x, index. */
    record IndexSelect(int dim) implements Op {
        public String name() {
            return "index_select";
        }

        public <R> R accept(OpVisitor<R> v) {
            return v.visit(this);
        }
    }

    /** inputs: x, index, src. */
    record IndexAdd(int dim) implements Op {
        public String name() {
            return "index_add";
        }

        public <R> R accept(OpVisitor<R> v) {
            return v.visit(this);
        }
    }

    /** inputs: the concatenated tensors. */
    record Cat(int dim) implements Op {
        public String name() {
            return "cat";
        }

        public <R> R accept(OpVisitor<R> v) {
            return v.visit(this);
        }
    }

    // ---- neural-network primitives

    /** inputs: x, w, bias (bias may be absent: 2 inputs). */
    record Conv2d(Conv2dParams params) implements Op {
        public String name() {
            return "conv2d";
        }

        public <R> R accept(OpVisitor<R> v) {
            return v.visit(this);
        }
    }

    /** inputs: gy, w; output: gx of inputShape. */
    record Conv2dBackwardInput(int[] inputShape, Conv2dParams params) implements Op {
        public String name() {
            return "conv2d_backward_input";
        }

        public <R> R accept(OpVisitor<R> v) {
            return v.visit(this);
        }
    }

    /** inputs: gy, x; output: gw of weightShape. */
    record Conv2dBackwardWeight(int[] weightShape, Conv2dParams params) implements Op {
        public String name() {
            return "conv2d_backward_weight";
        }

        public <R> R accept(OpVisitor<R> v) {
            return v.visit(this);
        }
    }

    /** inputs: x; outputs: y, indices. */
    record MaxPool2d(Pool2dParams params) implements Op {
        public String name() {
            return "max_pool2d";
        }

        public <R> R accept(OpVisitor<R> v) {
            return v.visit(this);
        }
    }

    /** inputs: gy, indices; output: gx of inputShape. */
    record MaxPool2dBackward(int[] inputShape, Pool2dParams params) implements Op {
        public String name() {
            return "max_pool2d_backward";
        }

        public <R> R accept(OpVisitor<R> v) {
            return v.visit(this);
        }
    }

    record AvgPool2d(Pool2dParams params) implements Op {
        public String name() {
            return "avg_pool2d";
        }

        public <R> R accept(OpVisitor<R> v) {
            return v.visit(this);
        }
    }

    /** inputs: gy; output: gx of inputShape. */
    record AvgPool2dBackward(int[] inputShape, Pool2dParams params) implements Op {
        public String name() {
            return "avg_pool2d_backward";
        }

        public <R> R accept(OpVisitor<R> v) {
            return v.visit(this);
        }
    }

    record Softmax(int dim, boolean log) implements Op {
        public String name() {
            return log ? "log_softmax" : "softmax";
        }

        public <R> R accept(OpVisitor<R> v) {
            return v.visit(this);
        }
    }

    /** inputs: gy, y (the forward output). */
    record SoftmaxBackward(int dim, boolean log) implements Op {
        public String name() {
            return log ? "log_softmax_backward" : "softmax_backward";
        }

        public <R> R accept(OpVisitor<R> v) {
            return v.visit(this);
        }
    }

    /**
     * inputs: x (N, C, *), weight (C), bias (C), mean (C), invstd (C); output y. training: mean and invstd
     * are x's own batch statistics (computed from x, so the gradient flows through them into x; their
     * tensors are constants), else given statistics (running ones) with gradients of their own. eps is
     * kept to recompute the statistics differentiably for higher-order gradients.
     */
    record BatchNorm(boolean training, double eps) implements Op {
        public String name() {
            return "batch_norm";
        }

        public <R> R accept(OpVisitor<R> v) {
            return v.visit(this);
        }
    }

    /** inputs: q, k, v (batch dims flattened), mask or absent; outputs: out, logsumexp. */
    record Attention(boolean causal, double scale) implements Op {
        public String name() {
            return "scaled_dot_product_attention";
        }

        public <R> R accept(OpVisitor<R> v) {
            return v.visit(this);
        }
    }

    /** inputs: gOut, q, k, v, out, logsumexp, mask or null; outputs: gq, gk, gv. Not differentiable again. */
    record AttentionBackward() implements Op {
        public String name() {
            return "scaled_dot_product_attention_backward";
        }

        public <R> R accept(OpVisitor<R> v) {
            return v.visit(this);
        }
    }

    /** inputs: x; outputs: y, mask. */
    record Dropout(double p) implements Op {
        public String name() {
            return "dropout";
        }

        public <R> R accept(OpVisitor<R> v) {
            return v.visit(this);
        }
    }

    /** Unreduced binary cross entropy, with PyTorch's dedicated gradient; inputs: input, target. */
    record BinaryCrossEntropy() implements Op {
        public String name() {
            return "binary_cross_entropy";
        }

        public <R> R accept(OpVisitor<R> v) {
            return v.visit(this);
        }
    }

    // ---- user-defined

    /** A user's function with its own backward (kiln-autograd's {@code Function}); inputs and outputs as it says. */
    record Custom(CustomFunction function) implements Op {
        public String name() {
            return function.name();
        }

        public <R> R accept(OpVisitor<R> v) {
            return v.visit(this);
        }
    }
}
