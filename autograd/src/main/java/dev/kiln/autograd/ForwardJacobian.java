package dev.kiln.autograd;

import dev.kiln.Tensor;
import java.util.List;
import java.util.function.Function;

/** gradcheck's forward-mode Jacobian: one Autograd.jvp per input element, with that element's unit tangent. */
final class ForwardJacobian {
    private ForwardJacobian() {
    }

    /** out[w][e * n + j] = d output element e / d element j of input wrt[w] (n its size), as the numerical one. */
    static double[][] of(Function<Tensor[], Tensor[]> f, Tensor[] inputs, List<Integer> wrt, int total) {
        Tensor[] primals = new Tensor[inputs.length];
        Tensor[] zeros = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] == null) {
                throw new IllegalArgumentException("gradcheck: checkForwardAd needs every input, but input " + i + " is null");
            }
            primals[i] = inputs[i].detach();
            zeros[i] = Tensor.zerosLike(primals[i]);
        }
        double[][] out = new double[wrt.size()][];
        for (int w = 0; w < wrt.size(); w++) {
            int which = wrt.get(w);
            int n = inputs[which].numel();
            out[w] = new double[total * n];
            for (int j = 0; j < n; j++) {
                double[] unit = new double[n];
                unit[j] = 1;
                Tensor[] tangents = zeros.clone();
                tangents[which] = Tensor.fromArray(unit, inputs[which].shape()).to(inputs[which].device());
                Tensor[] derivatives = Autograd.jvp(f, primals, tangents).derivatives();
                int e = 0;
                for (Tensor d : derivatives) {
                    for (double v : d.toDoubleArray()) {
                        out[w][e++ * n + j] = v;
                    }
                }
            }
        }
        return out;
    }
}
