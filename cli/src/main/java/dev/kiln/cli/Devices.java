package dev.kiln.cli;

import dev.kiln.Device;
import dev.kiln.DeviceUnavailableException;

/** Turns --device (auto | cpu | cuda | cuda:N | cuda-emu | cuda-emu:N) into a usable device or a reason why not. */
public final class Devices {
    public static final String VALID = "auto, cpu, cuda, cuda:N, cuda-emu, cuda-emu:N";

    private Devices() {
    }

    public static Device resolve(String spec) {
        if (spec.equals("auto")) {
            return Device.isAvailable(Device.Type.CUDA, 0) ? Device.cuda() : Device.CPU;
        }
        try {
            return Device.parse(spec); // a cuda or cuda-emu device is checked here: it throws the reason it cannot be used
        } catch (IllegalArgumentException e) {
            throw new UserError("unknown device '" + spec + "' (valid: " + VALID + ")", e);
        } catch (DeviceUnavailableException e) {
            boolean cuda = spec.startsWith("cuda") && !spec.startsWith("cuda-emu");
            throw new UserError("device " + spec + " cannot be used: " + e.getMessage()
                    + (cuda ? "\n(no usable GPU here; use --device cpu, or --device cuda-emu for the emulated CUDA device)" : ""), e);
        }
    }
}
