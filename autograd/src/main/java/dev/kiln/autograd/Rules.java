package dev.kiln.autograd;

import dev.kiln.graph.Op;
import dev.kiln.graph.OpVisitor;

/**
 * The derivative-rule table (DESIGN.md principle 3): one entry per Op record, as a visitor, so an op
 * without a rule does not compile. An entry is a constant where the op has no attributes (or only an
 * enum), else it is built from the record once, when the op is recorded; the node keeps it for
 * backward and forward mode. Each rule's vjp and jvp sit side by side in its family's file.
 */
final class Rules implements OpVisitor<Rule> {
    private static final Rules TABLE = new Rules();

    private Rules() {
    }

    static Rule of(Op op) {
        return op.accept(TABLE);
    }

    // ---- views and copies

    @Override
    public Rule visit(Op.Reshape op) {
        return ViewRules.reshape(op);
    }

    @Override
    public Rule visit(Op.Permute op) {
        return ViewRules.permute(op);
    }

    @Override
    public Rule visit(Op.Expand op) {
        return ViewRules.expand(op);
    }

    @Override
    public Rule visit(Op.Slice op) {
        return ViewRules.slice(op);
    }

    @Override
    public Rule visit(Op.Select op) {
        return ViewRules.select(op);
    }

    @Override
    public Rule visit(Op.Unbind op) {
        return ViewRules.unbind(op);
    }

    @Override
    public Rule visit(Op.Clone op) {
        return ViewRules.CLONE;
    }

    @Override
    public Rule visit(Op.Cast op) {
        return ViewRules.cast(op);
    }

    @Override
    public Rule visit(Op.ToDevice op) {
        return ViewRules.toDevice(op);
    }

    // ---- elementwise

    @Override
    public Rule visit(Op.Unary op) {
        return ElementwiseRules.unary(op.op());
    }

    @Override
    public Rule visit(Op.Binary op) {
        return ElementwiseRules.binary(op.op());
    }

    @Override
    public Rule visit(Op.Where op) {
        return ElementwiseRules.WHERE;
    }

    // ---- reductions

    @Override
    public Rule visit(Op.Reduce op) {
        return ReductionRules.reduce(op);
    }

    @Override
    public Rule visit(Op.ReduceWithIndices op) {
        return ReductionRules.reduceWithIndices(op);
    }

    @Override
    public Rule visit(Op.Variance op) {
        return ReductionRules.variance(op);
    }

    // ---- linear algebra and indexing

    @Override
    public Rule visit(Op.Matmul op) {
        return MatmulRules.MATMUL;
    }

    @Override
    public Rule visit(Op.SparseMm op) {
        return SparseRules.sparseMm(op.pattern());
    }

    @Override
    public Rule visit(Op.SampledMm op) {
        return SparseRules.sampledMm(op.pattern());
    }

    @Override
    public Rule visit(Op.Gather op) {
        return IndexingRules.gather(op);
    }

    @Override
    public Rule visit(Op.ScatterAdd op) {
        return IndexingRules.scatterAdd(op);
    }

    @Override
    public Rule visit(Op.IndexSelect op) {
        return IndexingRules.indexSelect(op);
    }

    @Override
    public Rule visit(Op.IndexAdd op) {
        return IndexingRules.indexAdd(op);
    }

    @Override
    public Rule visit(Op.Cat op) {
        return IndexingRules.cat(op);
    }

    // ---- neural-network primitives

    @Override
    public Rule visit(Op.Conv2d op) {
        return NnRules.conv2d(op);
    }

    @Override
    public Rule visit(Op.Conv2dBackwardInput op) {
        return NnRules.conv2dBackwardInput(op);
    }

    @Override
    public Rule visit(Op.Conv2dBackwardWeight op) {
        return NnRules.conv2dBackwardWeight(op);
    }

    @Override
    public Rule visit(Op.MaxPool2d op) {
        return NnRules.maxPool2d(op);
    }

    @Override
    public Rule visit(Op.MaxPool2dBackward op) {
        return NnRules.maxPool2dBackward(op);
    }

    @Override
    public Rule visit(Op.AvgPool2d op) {
        return NnRules.avgPool2d(op);
    }

    @Override
    public Rule visit(Op.AvgPool2dBackward op) {
        return NnRules.avgPool2dBackward(op);
    }

    @Override
    public Rule visit(Op.Softmax op) {
        return NnRules.softmax(op);
    }

    @Override
    public Rule visit(Op.SoftmaxBackward op) {
        return NnRules.softmaxBackward(op);
    }

    @Override
    public Rule visit(Op.BatchNorm op) {
        return BatchNormRules.batchNorm(op);
    }

    @Override
    public Rule visit(Op.Attention op) {
        return NnRules.attention(op);
    }

    @Override
    public Rule visit(Op.AttentionBackward op) {
        return NnRules.ATTENTION_BACKWARD;
    }

    @Override
    public Rule visit(Op.Dropout op) {
        return NnRules.dropout(op);
    }

    @Override
    public Rule visit(Op.BinaryCrossEntropy op) {
        return NnRules.BINARY_CROSS_ENTROPY;
    }

    // ---- user-defined

    @Override
    public Rule visit(Op.Custom op) {
        return Rule.of(Rule.Saves.NOTHING, (n, g) -> op.function().backward(g), (n, t) -> op.function().jvp(t));
    }
}
