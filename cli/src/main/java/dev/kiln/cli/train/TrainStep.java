package dev.kiln.cli.train;

import dev.kiln.Autocast;
import dev.kiln.DType;
import dev.kiln.MemoryScope;
import dev.kiln.Tensor;
import dev.kiln.cli.data.Batches;
import dev.kiln.nn.Layer;
import dev.kiln.nn.loss.CrossEntropyLoss;
import dev.kiln.optim.GradScaler;
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
    private final DType autocast;
    private final GradScaler scaler;

    TrainStep(Layer model, Optimizer optimizer) {
        this(model, optimizer, null);
    }

    /** autocast: the forward's 16-bit dtype, or null for float32; float16 scales the loss ({@link GradScaler}). */
    TrainStep(Layer model, Optimizer optimizer, DType autocast) {
        this.model = model;
        this.optimizer = optimizer;
        this.autocast = autocast;
        this.scaler = new GradScaler(65536.0, 2.0, 0.5, 2000, autocast == DType.FLOAT16);
    }

    Result run(Batches batches, int index) {
        try (MemoryScope scope = MemoryScope.open()) { // the optimizer's state persists; the rest is freed here
            Batches.Batch batch = batches.get(index);
            optimizer.zeroGrad();
            Tensor logits;
            Tensor loss;
            try (Autocast forward = Precision.scope(autocast)) {
                logits = model.forward(batch.x());
                loss = ce.forward(logits, batch.y());
            }
            scaler.scale(loss).backward();
            scaler.step(optimizer);
            scaler.update();
            optimizer.zeroGrad();
            return new Result(loss.item() * batch.size(), Evaluation.countCorrect(logits.detach(), batch.y()), batch.size());
        }
    }
}
