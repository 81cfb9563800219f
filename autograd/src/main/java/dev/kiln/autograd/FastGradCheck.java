package dev.kiln.autograd;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.GradMode;
import dev.kiln.Tensor;
import java.util.List;
import java.util.function.Function;

/**
 * gradcheck's fast mode, as PyTorch's fast_mode: one random projection u^T J v per check. The numerical
 * side is a directional central difference along v (two evaluations, whatever the sizes); the analytical
 * side is one backward with u, dotted with v. Fixed seeds keep a failing check reproducible.
 */
final class FastGradCheck {
    private FastGradCheck() {
    }

    static GradCheck.Report check(Function<Tensor[], Tensor[]> f, Tensor[] inputs, List<Integer> wrt, GradCheckOptions o) {
        Generator g = new Generator(0);
        Tensor[] v = new Tensor[wrt.size()];
        for (int w = 0; w < v.length; w++) {
            Tensor x = inputs[wrt.get(w)];
            v[w] = Tensor.randn(g, x.shape()).to(DType.FLOAT64).to(x.device());
        }
        double[] plus = flat(f, shifted(inputs, wrt, v, o.eps()));
        double[] minus = flat(f, shifted(inputs, wrt, v, -o.eps()));
        double[] u = Tensor.randn(g, Math.max(1, plus.length)).to(DType.FLOAT64).toDoubleArray();
        double numerical = 0;
        for (int e = 0; e < plus.length; e++) {
            numerical += u[e] * (plus[e] - minus[e]) / (2 * o.eps());
        }
        double analytical = analytical(f, inputs, wrt, u, v);
        double error = Math.abs(analytical - numerical);
        boolean passed = !Double.isNaN(error) && error <= o.atol() + o.rtol() * Math.abs(numerical);
        return new GradCheck.Report(passed, List.of(new GradCheck.Worst(-1, new int[0], -1, numerical, analytical, error,
                "fast")), o.atol(), o.rtol());
    }

    private static Tensor[] shifted(Tensor[] inputs, List<Integer> wrt, Tensor[] v, double step) {
        Tensor[] args = inputs.clone();
        for (int w = 0; w < v.length; w++) {
            Tensor x = inputs[wrt.get(w)];
            args[wrt.get(w)] = x.detach().add(v[w].mul(step)).requiresGrad_(true);
        }
        return args;
    }

    /** Every output's elements, in order, as float64. */
    private static double[] flat(Function<Tensor[], Tensor[]> f, Tensor[] args) {
        Tensor[] outs;
        try (GradMode.Scope on = GradMode.enableGrad()) {
            outs = f.apply(args);
        }
        int total = 0;
        for (Tensor t : outs) {
            total += t.numel();
        }
        double[] all = new double[total];
        int k = 0;
        for (Tensor t : outs) {
            double[] d = t.detach().to(DType.FLOAT64).toDoubleArray();
            System.arraycopy(d, 0, all, k, d.length);
            k += d.length;
        }
        return all;
    }

    /** u^T J v by one backward: seed each output with its slice of u, dot the inputs' gradients with v. */
    private static double analytical(Function<Tensor[], Tensor[]> f, Tensor[] inputs, List<Integer> wrt, double[] u,
                                     Tensor[] v) {
        Tensor[] outs;
        try (GradMode.Scope on = GradMode.enableGrad()) {
            outs = f.apply(inputs);
        }
        Tensor[] targets = wrt.stream().map(i -> inputs[i]).toArray(Tensor[]::new);
        double sum = 0;
        int offset = 0;
        for (Tensor y : outs) {
            int n = y.numel();
            if (y.requiresGrad()) {
                double[] seed = java.util.Arrays.copyOfRange(u, offset, offset + n);
                Tensor s = Tensor.fromArray(seed, y.shape()).to(y.dtype()).to(y.device());
                Tensor[] grads = Autograd.grad(new Tensor[] {y}, targets, new Tensor[] {s}, true, false, true);
                for (int w = 0; w < grads.length; w++) {
                    if (grads[w] != null) {
                        sum += grads[w].to(DType.FLOAT64).mul(v[w]).sum().item();
                    }
                }
            }
            offset += n;
        }
        return sum;
    }
}
