/** The CUDA kernels' fatbins, read by the CUDA backend through {@link dev.kiln.kernels.Fatbins}. */
module dev.kiln.kernels {
    exports dev.kiln.kernels to dev.kiln.cuda;
}
