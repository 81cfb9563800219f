package dev.kiln.graph;

/**
 * One method per op record, none with a default: an implementation (the derivative-rule table)
 * that misses an op does not compile.
 */
public interface OpVisitor<R> {
    R visit(Op.Reshape op);

    R visit(Op.Permute op);

    R visit(Op.Expand op);

    R visit(Op.Slice op);

    R visit(Op.Select op);

    R visit(Op.Unbind op);

    R visit(Op.Clone op);

    R visit(Op.Cast op);

    R visit(Op.ToDevice op);

    R visit(Op.Unary op);

    R visit(Op.Binary op);

    R visit(Op.Where op);

    R visit(Op.Reduce op);

    R visit(Op.ReduceWithIndices op);

    R visit(Op.Variance op);

    R visit(Op.Matmul op);

    R visit(Op.SparseMm op);

    R visit(Op.SampledMm op);

    R visit(Op.Gather op);

    R visit(Op.ScatterAdd op);

    R visit(Op.IndexSelect op);

    R visit(Op.IndexAdd op);

    R visit(Op.Cat op);

    R visit(Op.Conv2d op);

    R visit(Op.Conv2dBackwardInput op);

    R visit(Op.Conv2dBackwardWeight op);

    R visit(Op.MaxPool2d op);

    R visit(Op.MaxPool2dBackward op);

    R visit(Op.AvgPool2d op);

    R visit(Op.AvgPool2dBackward op);

    R visit(Op.Softmax op);

    R visit(Op.SoftmaxBackward op);

    R visit(Op.BatchNorm op);

    R visit(Op.Attention op);

    R visit(Op.AttentionBackward op);

    R visit(Op.Dropout op);

    R visit(Op.BinaryCrossEntropy op);

    R visit(Op.Custom op);
}
