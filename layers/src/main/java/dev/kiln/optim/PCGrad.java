package dev.kiln.optim;

import dev.kiln.GradMode;
import dev.kiln.Shape;
import dev.kiln.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Gradient surgery for multi-task learning (Yu et al., "Gradient Surgery for Multi-Task Learning", NeurIPS 2020):
 * each task's gradient of the shared parameters is projected onto the normal plane of every other task's gradient
 * it conflicts with (a negative dot product), the other tasks taken in a random order, and the projected gradients
 * are summed. A task's gradient is a list with one tensor per shared parameter; dot products run over the whole
 * list, as over the flattened parameter vector.
 */
public final class PCGrad {
    private PCGrad() {
    }

    /** a . b over every parameter. */
    public static double dot(List<Tensor> a, List<Tensor> b) {
        checkSameLength(a, b);
        double s = 0;
        try (var noGrad = GradMode.noGrad()) {
            for (int p = 0; p < a.size(); p++) {
                if (!Arrays.equals(a.get(p).shape(), b.get(p).shape())) {
                    throw new IllegalArgumentException("PCGrad: parameter " + p + "'s gradients have shapes "
                            + Shape.str(a.get(p).shape()) + " and " + Shape.str(b.get(p).shape()));
                }
                s += a.get(p).mul(b.get(p)).sum().item();
            }
        }
        return s;
    }

    /** The cosine of the angle between two gradients (0 when either is zero): below 0, the tasks conflict. */
    public static double cosine(List<Tensor> a, List<Tensor> b) {
        double norms = Math.sqrt(dot(a, a) * dot(b, b));
        return norms == 0 ? 0 : dot(a, b) / norms;
    }

    /** The surgery's update, per shared parameter, for tasks.get(t) = task t's gradient; random draws the task order. */
    public static List<Tensor> combine(List<List<Tensor>> tasks, Random random) {
        if (tasks.isEmpty()) {
            throw new IllegalArgumentException("PCGrad.combine: no task gradients");
        }
        double[] squaredNorms = tasks.stream().mapToDouble(g -> dot(g, g)).toArray();
        List<Tensor> sum = null;
        try (var noGrad = GradMode.noGrad()) {
            for (int t = 0; t < tasks.size(); t++) {
                List<Tensor> projected = new ArrayList<>(tasks.get(t));
                List<Integer> others = new ArrayList<>();
                for (int o = 0; o < tasks.size(); o++) {
                    if (o != t) {
                        others.add(o);
                    }
                }
                Collections.shuffle(others, random);
                for (int o : others) {
                    double d = dot(projected, tasks.get(o));
                    if (d < 0 && squaredNorms[o] > 0) { // conflict: remove the component along task o's gradient
                        List<Tensor> other = tasks.get(o);
                        double c = d / squaredNorms[o];
                        for (int p = 0; p < projected.size(); p++) {
                            projected.set(p, projected.get(p).sub(other.get(p).mul(c)));
                        }
                    }
                }
                if (sum == null) {
                    sum = projected;
                } else {
                    for (int p = 0; p < sum.size(); p++) {
                        sum.set(p, sum.get(p).add(projected.get(p)));
                    }
                }
            }
        }
        return sum;
    }

    private static void checkSameLength(List<Tensor> a, List<Tensor> b) {
        if (a.size() != b.size()) {
            throw new IllegalArgumentException("PCGrad: gradients of " + a.size() + " and " + b.size()
                    + " parameters (each task gives one per shared parameter)");
        }
    }
}
