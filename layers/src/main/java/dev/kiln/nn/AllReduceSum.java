package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.autograd.Function;
import dev.kiln.autograd.FunctionContext;
import dev.kiln.distributed.ProcessGroup;
import dev.kiln.distributed.ReduceOp;

/**
 * The sum of a tensor over every rank, differentiable: each rank's input reaches every rank's output,
 * so the gradient of an input is the sum over ranks of the outputs' gradients (an all-reduce again),
 * as {@code torch.distributed.nn.functional.all_reduce}.
 */
final class AllReduceSum extends Function {
    private final ProcessGroup group;

    AllReduceSum(ProcessGroup group) {
        this.group = group;
    }

    @Override
    protected Tensor[] forward(FunctionContext ctx, Tensor... inputs) {
        return new Tensor[] {sum(inputs[0])};
    }

    @Override
    protected Tensor[] backward(FunctionContext ctx, Tensor... gradOutputs) {
        return new Tensor[] {sum(gradOutputs[0])};
    }

    private Tensor sum(Tensor t) {
        Tensor out = t.clone();
        group.allReduce(out, ReduceOp.SUM);
        return out;
    }
}
