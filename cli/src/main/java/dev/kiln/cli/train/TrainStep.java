package dev.kiln.cli.train;

import dev.kiln.Tensor;
import dev.kiln.cli.data.Batches;
import dev.kiln.MemoryScope;
import dev.kiln.nn.Layer;
import dev.kiln.nn.Parameter;
import dev.kiln.nn.loss.CrossEntropyLoss;
import dev.kiln.optim.Optimizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One optimisation step on one mini-batch. Every tensor it makes on the device is released before
 * it returns (the batch, activations, loss, gradients), so device memory in use is the same after
 * each step: only the parameters, the buffers and the optimizer's state live on.
 */
final class TrainStep {
    /** The batch's summed loss and number of correct predictions, read back to the host. */
    record Result(double lossSum, long correct, int size) {
    }

    private final Layer model;
    private final Optimizer optimizer;
    private final CrossEntropyLoss ce = new CrossEntropyLoss();

    TrainStep(Layer model, Optimizer optimizer) {
        this.model = model;
        this.optimizer = optimizer;
    }

    Result run(Batches batches, int index) {
        Result r;
        List<Tensor> grads = new ArrayList<>();
        try (MemoryScope scope = MemoryScope.open()) {
            Batches.Batch batch = batches.get(index);
            optimizer.zeroGrad();
            Tensor logits = model.forward(batch.x());
            Tensor loss = ce.forward(logits, batch.y());
            loss.backward();
            optimizer.parameters().stream().map(Parameter::grad).filter(Objects::nonNull).forEach(g -> grads.add(scope.keep(g)));
            r = new Result(loss.item() * batch.size(), Evaluation.countCorrect(logits.detach(), batch.y()), batch.size());
        }
        // outside the scope: the state the optimizer makes on its first step must outlive it (the update is in place)
        optimizer.step();
        grads.forEach(Tensor::close);
        optimizer.zeroGrad();
        return r;
    }
}
