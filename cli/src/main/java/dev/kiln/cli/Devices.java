package dev.kiln.cli;

import dev.kiln.Device;
import dev.kiln.spi.Backends;

/** Turns --device (auto | cpu | cuda | cuda:N | cuda-emu | cuda-emu:N) into a usable device or a reason why not. */
public final class Devices {
    public static final String VALID = "auto, cpu, cuda, cuda:N, cuda-emu, cuda-emu:N";

    private Devices() {
    }

    public static Device resolve(String spec) {
        if (spec.equals("auto")) {
            return Backends.isAvailable(Device.cuda()) ? Device.cuda() : Device.CPU;
        }
        Device d;
        try {
            d = Device.parse(spec);
        } catch (IllegalArgumentException e) {
            throw new UserError("unknown device '" + spec + "' (valid: " + VALID + ")", e);
        }
        try {
            Backends.of(d);
        } catch (RuntimeException e) {
            throw new UserError("device " + d + " cannot be used: " + e.getMessage()
                    + (d.type() == Device.Type.CUDA ? "\n(no usable GPU here; use --device cpu, or --device cuda-emu for the emulated CUDA device)" : ""), e);
        }
        return d;
    }
}
