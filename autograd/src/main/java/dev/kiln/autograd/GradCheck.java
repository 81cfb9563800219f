package dev.kiln.autograd;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.GradMode;
import dev.kiln.Shape;
import dev.kiln.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Compares autograd's gradients with central differences in float64, as {@code torch.autograd.gradcheck}:
 * every element of the Jacobian of every output with respect to every input that requires grad.
 * A failure names, per input, the worst element: its index, the numerical and analytical values and
 * the error — what a rule's author needs.
 */
public final class GradCheck {
    public static final double DEFAULT_EPS = 1e-6;
    public static final double DEFAULT_ATOL = 1e-5;
    public static final double DEFAULT_RTOL = 1e-3;

    private GradCheck() {
    }

    /**
     * The worst Jacobian element of one input, in one comparison ({@code check}): "reverse" (backward
     * against central differences), "forward" (forward mode against them), "reentrant" (a second
     * backward against the first; numerical is then the first) or "fast" (a random projection u^T J v,
     * input -1).
     */
    public record Worst(int input, int[] inputIndex, int outputElement, double numerical, double analytical, double error,
                        String check) {
        @Override
        public String toString() {
            if (input < 0) {
                return String.format(Locale.ROOT, "%s: u^T J v numerical %.9g, analytical %.9g, error %.3g", check, numerical,
                        analytical, error);
            }
            return String.format(Locale.ROOT, "%s: input %d at %s (output element %d): numerical %.9g, analytical %.9g, "
                    + "error %.3g", check, input, Arrays.toString(inputIndex), outputElement, numerical, analytical, error);
        }
    }

    /** The outcome: passed, and the worst element per input that requires grad. */
    public record Report(boolean passed, List<Worst> worst, double atol, double rtol) {
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(passed ? "gradcheck passed" : "gradcheck failed");
            sb.append(String.format(Locale.ROOT, " (atol %.1e, rtol %.1e)", atol, rtol));
            for (Worst w : worst) {
                sb.append("\n  worst ").append(w);
            }
            return sb.toString();
        }
    }

    /** Throws with the report when the check fails (default eps, atol and rtol). */
    public static void gradcheck(Function<Tensor[], Tensor> f, Tensor... inputs) {
        gradcheck(f, inputs, DEFAULT_EPS, DEFAULT_ATOL, DEFAULT_RTOL);
    }

    /** As torch.autograd.gradcheck: throws an AssertionError with the report when the check fails. */
    public static void gradcheck(Function<Tensor[], Tensor> f, Tensor[] inputs, double eps, double atol, double rtol) {
        Report r = check(a -> new Tensor[] {f.apply(a)}, inputs, eps, atol, rtol);
        if (!r.passed()) {
            throw new AssertionError(r.toString());
        }
    }

    /**
     * The full check of f (any number of outputs) at inputs; inputs that require grad must be
     * float64. |analytical - numerical| &lt;= atol + rtol * |numerical| must hold everywhere.
     */
    public static Report check(Function<Tensor[], Tensor[]> f, Tensor[] inputs, double eps, double atol, double rtol) {
        return check(f, inputs, GradCheckOptions.DEFAULTS.withEps(eps).withTolerances(atol, rtol));
    }

    /** As torch.autograd.gradcheck with its options: throws an AssertionError with the report on failure. */
    public static void assertGradcheck(Function<Tensor[], Tensor[]> f, Tensor[] inputs, GradCheckOptions options) {
        Report r = check(f, inputs, options);
        if (!r.passed()) {
            throw new AssertionError(r.toString());
        }
    }

    /** The check with every option: fast mode, forward mode and reentrancy (see {@link GradCheckOptions}). */
    public static Report check(Function<Tensor[], Tensor[]> f, Tensor[] inputs, GradCheckOptions o) {
        List<Integer> wrt = new ArrayList<>();
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] != null && inputs[i].requiresGrad()) {
                Autograd.requireFloat64("gradcheck", i, inputs[i]);
                wrt.add(i);
            }
        }
        if (wrt.isEmpty()) {
            throw new IllegalArgumentException("gradcheck: no input requires grad; call requiresGrad_(true) on those to check");
        }
        if (o.fastMode()) {
            return FastGradCheck.check(f, inputs, wrt, o);
        }
        Tensor[] outs = evaluate(f, inputs);
        int total = 0;
        for (Tensor out : outs) {
            total += out.numel();
        }
        double[][] numerical = new double[wrt.size()][];
        double[][] analytical = new double[wrt.size()][];
        for (int w = 0; w < wrt.size(); w++) {
            int n = inputs[wrt.get(w)].numel();
            numerical[w] = new double[total * n];
            analytical[w] = new double[total * n];
        }
        numericalJacobian(f, inputs, wrt, o.eps(), numerical);
        analyticalJacobian(f, inputs, wrt, total, analytical);
        List<Worst> worst = new ArrayList<>();
        boolean passed = compare("reverse", numerical, analytical, inputs, wrt, total, o.atol(), o.rtol(), worst);
        if (o.nondetTol() != Double.POSITIVE_INFINITY) {
            double[][] again = new double[wrt.size()][];
            for (int w = 0; w < wrt.size(); w++) {
                again[w] = new double[analytical[w].length];
            }
            analyticalJacobian(f, inputs, wrt, total, again);
            passed &= compare("reentrant", analytical, again, inputs, wrt, total, o.nondetTol(), 0, worst);
        }
        if (o.checkForwardAd()) {
            double[][] forward = ForwardJacobian.of(f, inputs, wrt, total);
            passed &= compare("forward", numerical, forward, inputs, wrt, total, o.atol(), o.rtol(), worst);
        }
        return new Report(passed, worst, o.atol(), o.rtol());
    }

    /** Adds the worst element of each input to worst; true when every element is within atol + rtol |expected|. */
    private static boolean compare(String check, double[][] expected, double[][] actual, Tensor[] inputs, List<Integer> wrt,
                                   int total, double atol, double rtol, List<Worst> worst) {
        boolean passed = true;
        for (int w = 0; w < wrt.size(); w++) {
            int n = inputs[wrt.get(w)].numel();
            int bestAt = -1;
            double bestExcess = Double.NEGATIVE_INFINITY;
            for (int e = 0; e < total * n; e++) {
                double err = Math.abs(actual[w][e] - expected[w][e]);
                // the share of its tolerance an element uses: ranks a 1e-9 error on a large entry above an exact zero
                double excess = Double.isNaN(err) ? Double.POSITIVE_INFINITY
                        : err == 0 ? 0 : err / (atol + rtol * Math.abs(expected[w][e]));
                if (excess > bestExcess) {
                    bestExcess = excess;
                    bestAt = e;
                }
            }
            if (bestAt >= 0 && (check.equals("reverse") || bestExcess > 1)) { // other checks report failures only
                passed &= bestExcess <= 1;
                worst.add(new Worst(wrt.get(w), unravel(bestAt % n, inputs[wrt.get(w)].shape()), bestAt / n,
                        expected[w][bestAt], actual[w][bestAt], Math.abs(expected[w][bestAt] - actual[w][bestAt]), check));
            }
        }
        return passed;
    }

    /** Second derivatives: gradcheck of (inputs, v) -> d&lt;f(inputs), v&gt;/d(inputs) with createGraph. */
    public static void gradgradcheck(Function<Tensor[], Tensor> f, Tensor... inputs) {
        Report r = gradgradCheck(f, inputs, DEFAULT_EPS, DEFAULT_ATOL, DEFAULT_RTOL, new Generator(0));
        if (!r.passed()) {
            throw new AssertionError("gradgradcheck: " + r);
        }
    }

    public static Report gradgradCheck(Function<Tensor[], Tensor> f, Tensor[] inputs, double eps, double atol, double rtol,
                                       Generator g) {
        int[] outShape;
        try (GradMode.Scope on = GradMode.enableGrad()) {
            outShape = f.apply(inputs).shape();
        }
        Tensor v = Tensor.randn(g, outShape).to(DType.FLOAT64).to(inputs[0].device()).requiresGrad_(true);
        int n = inputs.length;
        Function<Tensor[], Tensor[]> gradOf = a -> {
            Tensor[] xs = Arrays.copyOf(a, n);
            Tensor y = f.apply(xs);
            List<Tensor> needs = new ArrayList<>();
            for (Tensor x : xs) {
                if (x != null && x.requiresGrad()) {
                    needs.add(x);
                }
            }
            return Autograd.grad(new Tensor[] {y}, needs.toArray(new Tensor[0]), new Tensor[] {a[n]}, true, true, true);
        };
        Tensor[] all = Arrays.copyOf(inputs, n + 1);
        all[n] = v;
        return check(gradOf, all, eps, atol, rtol);
    }

    /** f's outputs, flattened and detached; grad mode stays on, for functions that take gradients inside. */
    private static Tensor[] evaluate(Function<Tensor[], Tensor[]> f, Tensor[] inputs) {
        try (GradMode.Scope on = GradMode.enableGrad()) {
            Tensor[] outs = f.apply(inputs);
            Tensor[] flat = new Tensor[outs.length];
            for (int i = 0; i < outs.length; i++) {
                flat[i] = outs[i].detach().to(DType.FLOAT64).reshape(-1);
            }
            return flat;
        }
    }

    /** Column (input element) by column: (f(x + eps e) - f(x - eps e)) / 2 eps. */
    private static void numericalJacobian(Function<Tensor[], Tensor[]> f, Tensor[] inputs, List<Integer> wrt, double eps,
                                          double[][] out) {
        for (int w = 0; w < wrt.size(); w++) {
            int which = wrt.get(w);
            Tensor x = inputs[which];
            double[] base = x.toDoubleArray();
            int n = base.length;
            for (int j = 0; j < n; j++) {
                double[] plus = perturbed(f, inputs, which, base, j, eps);
                double[] minus = perturbed(f, inputs, which, base, j, -eps);
                for (int e = 0; e < plus.length; e++) {
                    out[w][e * n + j] = (plus[e] - minus[e]) / (2 * eps);
                }
            }
        }
    }

    private static double[] perturbed(Function<Tensor[], Tensor[]> f, Tensor[] inputs, int which, double[] base, int j,
                                      double delta) {
        double[] v = base.clone();
        v[j] += delta;
        Tensor[] args = inputs.clone();
        args[which] = Tensor.fromArray(v, inputs[which].shape()).to(inputs[which].device()).requiresGrad_(true);
        Tensor[] outs = evaluate(f, args);
        int total = 0;
        for (Tensor o : outs) {
            total += o.numel();
        }
        double[] flat = new double[total];
        int k = 0;
        for (Tensor o : outs) {
            double[] d = o.toDoubleArray();
            System.arraycopy(d, 0, flat, k, d.length);
            k += d.length;
        }
        return flat;
    }

    /** Row (output element) by row: the gradient of one output element with respect to each input. */
    private static void analyticalJacobian(Function<Tensor[], Tensor[]> f, Tensor[] inputs, List<Integer> wrt, int total,
                                           double[][] out) {
        Tensor[] outs;
        try (GradMode.Scope on = GradMode.enableGrad()) {
            outs = f.apply(inputs);
        }
        Tensor[] targets = new Tensor[wrt.size()];
        for (int w = 0; w < wrt.size(); w++) {
            targets[w] = inputs[wrt.get(w)];
        }
        int row = 0;
        for (int o = 0; o < outs.length; o++) {
            Tensor y = outs[o];
            for (int e = 0; e < y.numel(); e++, row++) {
                if (!y.requiresGrad()) {
                    continue; // a constant output: its Jacobian rows are zero
                }
                double[] onehot = new double[y.numel()];
                onehot[e] = 1;
                Tensor seed = Tensor.fromArray(onehot, y.shape()).to(y.dtype()).to(y.device());
                Tensor[] grads = Autograd.grad(new Tensor[] {y}, targets, new Tensor[] {seed}, true, false, true);
                for (int w = 0; w < wrt.size(); w++) {
                    double[] gv = grads[w].toDoubleArray();
                    System.arraycopy(gv, 0, out[w], row * gv.length, gv.length);
                }
            }
        }
        if (row != total) {
            throw new IllegalStateException("gradcheck: f returned " + row + " elements with grad but " + total + " without");
        }
    }

    private static int[] unravel(int flat, int[] shape) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = flat % Math.max(shape[d], 1);
            flat /= Math.max(shape[d], 1);
        }
        return idx;
    }
}
