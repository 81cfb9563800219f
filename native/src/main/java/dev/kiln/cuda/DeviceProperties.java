package dev.kiln.cuda;

/**
 * What a CUDA device reports of itself (as torch.cuda.get_device_properties): its name in Kiln,
 * streaming multiprocessors, threads resident per multiprocessor, and the memory bandwidth its
 * specification gives (memory clock x bus width x 2 for double data rate), in bytes per second;
 * 0 where the device does not say (the emulator).
 */
public record DeviceProperties(String name, int multiprocessors, int threadsPerMultiprocessor, double specMemoryBandwidth) {
}
