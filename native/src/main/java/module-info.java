/**
 * The CUDA backend ({@code cuda} through JCuda's driver API, {@code cuda-emu} on the emulated device) and the
 * MPI transport, found by the engine as services. JCuda is optional: without it only {@code cuda-emu} serves.
 */
module dev.kiln.cuda {
    requires dev.kiln;
    requires dev.kiln.kernels;
    requires static jcuda;

    exports dev.kiln.cuda;

    provides dev.kiln.spi.BackendProvider with dev.kiln.cuda.CudaBackendProvider, dev.kiln.cuda.CudaEmuBackendProvider;
    provides dev.kiln.spi.CommunicatorProvider with dev.kiln.mpi.MpiCommunicatorProvider;
}
