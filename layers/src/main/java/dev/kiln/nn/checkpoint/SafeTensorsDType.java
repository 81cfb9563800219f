package dev.kiln.nn.checkpoint;

import dev.kiln.DType;

/** The safetensors dtype codes of the dtypes Kiln has. */
final class SafeTensorsDType {
    private SafeTensorsDType() {
    }

    static String code(DType d) {
        switch (d) {
            case FLOAT32: return "F32";
            case FLOAT64: return "F64";
            case INT64: return "I64";
            case BOOL: return "BOOL";
            case BFLOAT16: return "BF16";
            case FLOAT16: return "F16";
            default: throw new IllegalArgumentException("safetensors: cannot store dtype " + d);
        }
    }

    static DType of(String where, String code) {
        switch (code) {
            case "F32": return DType.FLOAT32;
            case "F64": return DType.FLOAT64;
            case "I64": return DType.INT64;
            case "BOOL": return DType.BOOL;
            case "BF16": return DType.BFLOAT16;
            case "F16": return DType.FLOAT16;
            default: throw new CheckpointException(where + ": unsupported dtype " + code
                    + " (Kiln reads F32, F64, BF16, F16, I64, BOOL)");
        }
    }
}
