package dev.kiln.spi;

import dev.kiln.DType;
import dev.kiln.Device;

/**
 * What the tensor API did, as recorded in the autograd graph: one record per differentiable op,
 * holding the attributes its derivative rule needs (inputs and outputs are kept by the graph node).
 */
public sealed interface Op {
    /** The PyTorch-style name, for messages and {@code gradFn().name()}. */
    String name();

    // ---- views and copies (inputs: x)

    /** view/reshape/flatten/squeeze/unsqueeze of an input of {@code inputShape}. */
    record Reshape(int[] inputShape) implements Op {
        public String name() {
            return "reshape";
        }
    }

    record Permute(int[] dims) implements Op {
        public String name() {
            return "permute";
        }
    }

    record Expand(int[] inputShape) implements Op {
        public String name() {
            return "expand";
        }
    }

    /** narrow/slice: elements start, start+step, ... (length of them) along dim. */
    record Slice(int[] inputShape, int dim, int start, int length, int step) implements Op {
        public String name() {
            return "slice";
        }
    }

    record Select(int[] inputShape, int dim, int index) implements Op {
        public String name() {
            return "select";
        }
    }

    record Clone() implements Op {
        public String name() {
            return "clone";
        }
    }

    record Cast(DType from) implements Op {
        public String name() {
            return "to";
        }
    }

    record ToDevice(Device from) implements Op {
        public String name() {
            return "to";
        }
    }

    // ---- elementwise (inputs: x | a, b | cond, a, b)

    record Unary(UnaryOp op) implements Op {
        public String name() {
            return op.opName();
        }
    }

    record Binary(BinaryOp op) implements Op {
        public String name() {
            return op.opName();
        }
    }

    record Where() implements Op {
        public String name() {
            return "where";
        }
    }

    // ---- reductions (inputs: x)

    record Reduce(ReduceOp op, int[] dims, boolean keepdim) implements Op {
        public String name() {
            return op.opName();
        }
    }

    /** max/min along dim; outputs: values, indices. */
    record ReduceWithIndices(ReduceOp op, int dim, boolean keepdim) implements Op {
        public String name() {
            return op == ReduceOp.MAX ? "max" : "min";
        }
    }

    record Variance(int[] dims, double correction, boolean keepdim) implements Op {
        public String name() {
            return "var";
        }
    }

    // ---- linear algebra and indexing

    /** inputs: a (..., M, K), b (..., K, N), both rank >= 2. */
    record Matmul() implements Op {
        public String name() {
            return "matmul";
        }
    }

    /** inputs: x, index. */
    record Gather(int dim) implements Op {
        public String name() {
            return "gather";
        }
    }

    /** inputs: x, index, src. */
    record ScatterAdd(int dim) implements Op {
        public String name() {
            return "scatter_add";
        }
    }

    /** inputs: x, index. */
    record IndexSelect(int dim) implements Op {
        public String name() {
            return "index_select";
        }
    }

    /** inputs: x, index, src. */
    record IndexAdd(int dim) implements Op {
        public String name() {
            return "index_add";
        }
    }

    /** inputs: the concatenated tensors. */
    record Cat(int dim) implements Op {
        public String name() {
            return "cat";
        }
    }

    // ---- neural-network primitives

    /** inputs: x, w, bias (bias may be absent: 2 inputs). */
    record Conv2d(Conv2dParams params) implements Op {
        public String name() {
            return "conv2d";
        }
    }

    /** inputs: gy, w; output: gx of inputShape. */
    record Conv2dBackwardInput(int[] inputShape, Conv2dParams params) implements Op {
        public String name() {
            return "conv2d_backward_input";
        }
    }

    /** inputs: gy, x; output: gw of weightShape. */
    record Conv2dBackwardWeight(int[] weightShape, Conv2dParams params) implements Op {
        public String name() {
            return "conv2d_backward_weight";
        }
    }

    /** inputs: x; outputs: y, indices. */
    record MaxPool2d(Pool2dParams params) implements Op {
        public String name() {
            return "max_pool2d";
        }
    }

    /** inputs: gy, indices; output: gx of inputShape. */
    record MaxPool2dBackward(int[] inputShape, Pool2dParams params) implements Op {
        public String name() {
            return "max_pool2d_backward";
        }
    }

    record AvgPool2d(Pool2dParams params) implements Op {
        public String name() {
            return "avg_pool2d";
        }
    }

    /** inputs: gy; output: gx of inputShape. */
    record AvgPool2dBackward(int[] inputShape, Pool2dParams params) implements Op {
        public String name() {
            return "avg_pool2d_backward";
        }
    }

    record Softmax(int dim, boolean log) implements Op {
        public String name() {
            return log ? "log_softmax" : "softmax";
        }
    }

    /** inputs: gy, y (the forward output). */
    record SoftmaxBackward(int dim, boolean log) implements Op {
        public String name() {
            return log ? "log_softmax_backward" : "softmax_backward";
        }
    }

    /** inputs: q, k, v (batch dims flattened), mask or absent; outputs: out, logsumexp. */
    record Attention(boolean causal, double scale) implements Op {
        public String name() {
            return "scaled_dot_product_attention";
        }
    }

    /** inputs: gOut, q, k, v, out, logsumexp, mask or null; outputs: gq, gk, gv. Not differentiable again. */
    record AttentionBackward() implements Op {
        public String name() {
            return "scaled_dot_product_attention_backward";
        }
    }

    /** inputs: x; outputs: y, mask. */
    record Dropout(double p) implements Op {
        public String name() {
            return "dropout";
        }
    }

    /** Unreduced binary cross entropy, with PyTorch's dedicated gradient; inputs: input, target. */
    record BinaryCrossEntropy() implements Op {
        public String name() {
            return "binary_cross_entropy";
        }
    }
}
