/** Kiln's layers, losses, optimizers, data loading, checkpoints and data-parallel training. */
module dev.kiln.layers {
    requires transitive dev.kiln;
    requires transitive dev.kiln.autograd;

    exports dev.kiln.data;
    exports dev.kiln.nn;
    exports dev.kiln.nn.checkpoint;
    exports dev.kiln.nn.detection;
    exports dev.kiln.nn.loss;
    exports dev.kiln.nn.parallel;
    exports dev.kiln.nn.summary;
    exports dev.kiln.optim;
}
