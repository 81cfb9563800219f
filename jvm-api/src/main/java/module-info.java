/**
 * Kiln's tensor API ({@code dev.kiln}), torch.distributed's counterpart ({@code dev.kiln.distributed}) and
 * the CPU backend. The backend SPI is exported only to the modules that implement it (autograd, the CUDA
 * backend) and to the kernel benchmarks, the autograd graph's op records ({@code dev.kiln.graph}) only to autograd;
 * the CPU backend's package is not exported at all.
 */
module dev.kiln {
    requires static jdk.incubator.vector;   // the CPU's SIMD kernels, used where the JVM was started with the module
    requires java.management;               // the heap figures of Device.memoryStats on the CPU

    exports dev.kiln;
    exports dev.kiln.distributed;
    exports dev.kiln.spi to dev.kiln.autograd, dev.kiln.cuda, dev.kiln.bench;
    exports dev.kiln.graph to dev.kiln.autograd;

    uses dev.kiln.spi.AutogradEngine;
    uses dev.kiln.spi.BackendProvider;
    uses dev.kiln.spi.CommunicatorProvider;

    provides dev.kiln.spi.BackendProvider with dev.kiln.cpu.CpuBackendProvider;
}
