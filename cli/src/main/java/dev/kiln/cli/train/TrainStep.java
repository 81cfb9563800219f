package dev.kiln.cli.train;

import dev.kiln.MemoryScope;
import dev.kiln.Tensor;
import dev.kiln.cli.data.Batches;
import dev.kiln.nn.Layer;
import dev.kiln.nn.loss.CrossEntropyLoss;
import dev.kiln.optim.Optimizer;

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
        try (MemoryScope scope = MemoryScope.open()) { // the optimizer's state persists; the rest is freed here
            Batches.Batch batch = batches.get(index);
            optimizer.zeroGrad();
            Tensor logits = model.forward(batch.x());
            Tensor loss = ce.forward(logits, batch.y());
            loss.backward();
            optimizer.step();
            optimizer.zeroGrad();
            return new Result(loss.item() * batch.size(), Evaluation.countCorrect(logits.detach(), batch.y()), batch.size());
        }
    }
}
