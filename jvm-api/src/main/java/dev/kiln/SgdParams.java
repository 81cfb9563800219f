package dev.kiln;

/**
 * Hyper-parameters of one {@code torch.optim.SGD} step (see {@link dev.kiln.spi.Backend#sgdStep}). {@code firstStep}:
 * the momentum buffer holds no history yet and is set to the (decayed) gradient instead of updated.
 */
public record SgdParams(double lr, double momentum, double dampening, double weightDecay, boolean nesterov,
                        boolean firstStep) {
    public SgdParams {
        if (!(lr >= 0) || !(momentum >= 0) || !(weightDecay >= 0) || Double.isNaN(dampening)) {
            throw new IllegalArgumentException("sgd_step: need lr, momentum and weight decay >= 0 and a dampening, got lr "
                    + lr + ", momentum " + momentum + ", weight decay " + weightDecay + ", dampening " + dampening);
        }
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException("sgd_step: nesterov momentum requires a momentum and zero dampening, got momentum "
                    + momentum + ", dampening " + dampening);
        }
    }
}
