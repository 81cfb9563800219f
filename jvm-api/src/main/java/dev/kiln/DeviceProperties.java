package dev.kiln;

/**
 * What a device reports of itself, as torch.cuda.get_device_properties ({@link Device#properties()}): its name
 * in Kiln, its multiprocessors (a GPU's SMs; the CPU's cores) and threads resident on each, and the peaks of
 * its specification: memory bandwidth (memory clock x bus width x 2 for double data rate) in bytes per second,
 * and float32 FLOP/s (multiprocessors x clock x float32 lanes x 2 for the fused multiply-add). A peak is 0
 * where the device does not say (the CPU, the emulator): measure it there (kiln bench does).
 */
public record DeviceProperties(String name, int multiprocessors, int threadsPerMultiprocessor, double specMemoryBandwidth,
                               double specFloat32Flops) {
}
