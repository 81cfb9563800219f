package dev.kiln.cuda;

import dev.kiln.Device;
import dev.kiln.Tensor;
import java.util.function.UnaryOperator;

/**
 * One tensor on the CPU and its copy on a device, with the same views taken of each. The copy is
 * made first ({@code to(device)} copies a view contiguously), so views stay strided on the device.
 */
record Both(Tensor cpu, Tensor dev) {
    static Both of(Tensor cpu, Device device) {
        return new Both(cpu, cpu.to(device));
    }

    Both view(UnaryOperator<Tensor> f) {
        return new Both(f.apply(cpu), f.apply(dev));
    }
}
