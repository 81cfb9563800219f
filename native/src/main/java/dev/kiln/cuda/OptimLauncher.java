package dev.kiln.cuda;

import dev.kiln.AdamParams;
import dev.kiln.DType;
import dev.kiln.SgdParams;
import dev.kiln.Shape;
import dev.kiln.spi.NdArray;

/**
 * kernels/optim.cu: fused SGD and Adam steps, in place over contiguous tensors of one size. Scalars
 * are computed here in double (as PyTorch computes them in Python) and passed in the element type;
 * each thread takes 16 bytes of every operand, so the grid is sized for n / (16 / element size).
 */
final class OptimLauncher extends Launcher {
    OptimLauncher(CudaContext context) {
        super(context);
    }

    void sgd(NdArray param, NdArray grad, NdArray buffer, SgdParams p) {
        String op = "sgd_step";
        DType t = check(op, param, grad, buffer);
        int n = param.numel();
        if (n == 0) {
            return;
        }
        KernelArgs args = new KernelArgs().ptr(param).ptr(grad).ptrOrNull(buffer).i32(n);
        scalars(args, t, p.lr(), p.momentum(), 1 - p.dampening(), p.weightDecay());
        args.i32(p.nesterov() ? 1 : 0).i32(p.firstStep() ? 1 : 0);
        launch("optim", t, op + "_" + KernelLayout.suffix(t), grid(n, t), Dim3.of(BLOCK), 0, args);
    }

    void adam(NdArray param, NdArray grad, NdArray expAvg, NdArray expAvgSq, NdArray maxExpAvgSq, AdamParams p) {
        String op = "adam_step";
        DType t = check(op, param, grad, expAvg, expAvgSq, maxExpAvgSq);
        if (expAvg == null || expAvgSq == null) {
            throw new IllegalArgumentException(op + ": exp_avg and exp_avg_sq are required");
        }
        int n = param.numel();
        if (n == 0) {
            return;
        }
        KernelArgs args = new KernelArgs().ptr(param).ptr(grad).ptr(expAvg).ptr(expAvgSq)
                .ptrOrNull(maxExpAvgSq).i32(n);
        scalars(args, t, p.paramScale(), p.l2(), p.beta1(), 1 - p.beta1(), p.beta2(), 1 - p.beta2(), p.eps(), p.stepSize(),
                p.biasCorrection2Sqrt());
        launch("optim", t, op + "_" + KernelLayout.suffix(t), grid(n, t), Dim3.of(BLOCK), 0, args);
    }

    private static void scalars(KernelArgs args, DType t, double... values) {
        for (double v : values) {
            if (t == DType.FLOAT64) {
                args.f64(v);
            } else {
                args.f32((float) v);
            }
        }
    }

    /** One thread per 16 bytes of each operand. */
    private static Dim3 grid(int n, DType t) {
        int perThread = 16 / t.byteSize();
        return gridFor((n + perThread - 1) / perThread, BLOCK);
    }

    /** The dtype of param, after checking that every non-null operand is a contiguous float tensor of param's size. */
    private DType check(String op, NdArray param, NdArray... others) {
        DType t = param.dtype();
        if (!t.isFloatingPoint()) {
            throw unsupported(op, t);
        }
        checkOperand(op, param, param);
        for (NdArray x : others) {
            if (x != null) {
                checkOperand(op, param, x);
            }
        }
        return t;
    }

    private static void checkOperand(String op, NdArray param, NdArray x) {
        if (x.dtype() != param.dtype() || x.numel() != param.numel() || !x.isContiguous()) {
            throw new IllegalArgumentException(op + ": every operand must be a contiguous " + param.dtype() + " tensor of "
                    + param.numel() + " elements (param " + Shape.str(param.shape()) + "), got " + x.dtype() + " "
                    + Shape.str(x.shape()) + " with strides " + Shape.str(x.stride()));
        }
    }
}
