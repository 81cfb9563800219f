package dev.kiln.cli.train;

import dev.kiln.Autocast;
import dev.kiln.DType;
import dev.kiln.cli.UserError;

/**
 * `kiln train --precision`: fp32 (everything in float32), bf16 / fp16 (float32 parameters, the forward under
 * {@link Autocast} in bfloat16 / float16, the loss in float32; fp16 with dynamic loss scaling), as PyTorch's
 * automatic mixed precision.
 */
public final class Precision {
    public static final String DEFAULT = "fp32";

    private Precision() {
    }

    /** The autocast dtype of a --precision value (null for fp32); a value Kiln cannot run is a UserError saying why. */
    public static DType autocast(String precision) {
        switch (precision) {
            case "fp32": return null;
            case "bf16": return DType.BFLOAT16;
            case "fp16": return DType.FLOAT16;
            case "tf32": throw new UserError("--precision tf32: Kiln has no TF32 kernels yet; fp32 computes in full float32");
            default: throw new UserError("--precision " + precision + ": expected fp32, bf16 or fp16");
        }
    }

    /** The scope the forward runs in: autocast to dtype, or full precision when dtype is null. */
    static Autocast scope(DType dtype) {
        return dtype == null ? Autocast.disable() : Autocast.enable(dtype);
    }
}
