package dev.kiln.cpu;

import java.util.function.ToDoubleFunction;

/** Central finite differences of a scalar function of one float64 array: (f(x + h) - f(x - h)) / 2h per element. */
final class NumericGrad {
    private NumericGrad() {
    }

    static double[] of(ToDoubleFunction<double[]> f, double[] x, double h) {
        double[] g = new double[x.length];
        double[] probe = x.clone();
        for (int i = 0; i < x.length; i++) {
            probe[i] = x[i] + h;
            double up = f.applyAsDouble(probe);
            probe[i] = x[i] - h;
            double down = f.applyAsDouble(probe);
            probe[i] = x[i];
            g[i] = (up - down) / (2 * h);
        }
        return g;
    }

    /** sum(a * w): a scalar loss whose gradient with respect to a is w. */
    static double dot(double[] a, double[] w) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * w[i];
        }
        return s;
    }
}
