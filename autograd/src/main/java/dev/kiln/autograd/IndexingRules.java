package dev.kiln.autograd;

import static dev.kiln.autograd.Rule.Saves.INPUTS;
import static dev.kiln.autograd.Rule.Saves.NOTHING;

import dev.kiln.Tensor;
import dev.kiln.graph.Op;

/** Derivative rules of gather, scatter_add, index_select, index_add and cat (the index is a constant). */
final class IndexingRules {
    private IndexingRules() {
    }

    private static Tensor zerosOf(Node n, int input, Tensor like) {
        return Grads.zeros(n.inputShapes[input], like.dtype(), like.device());
    }

    /** inputs: x, index. */
    static Rule gather(Op.Gather o) {
        return Rule.of(INPUTS, (n, g) -> new Tensor[] {zerosOf(n, 0, g[0]).scatterAdd(o.dim(), n.input(1), g[0]), null},
                (n, t) -> new Tensor[] {t[0].gather(o.dim(), n.input(1))});
    }

    /** inputs: x, index, src. */
    static Rule scatterAdd(Op.ScatterAdd o) {
        return Rule.of(INPUTS, (n, g) -> new Tensor[] {g[0], null,
            n.needsGrad(2) ? Grads.padTo(g[0].gather(o.dim(), n.input(1)), n.inputShapes[2]) : null},
            (n, t) -> {
                Tensor base = t[0] != null ? t[0] : zerosOf(n, 0, t[2]);
                return new Tensor[] {t[2] == null ? base : base.scatterAdd(o.dim(), n.input(1), t[2])};
            });
    }

    /** inputs: x, index. */
    static Rule indexSelect(Op.IndexSelect o) {
        return Rule.of(INPUTS, (n, g) -> new Tensor[] {zerosOf(n, 0, g[0]).indexAdd(o.dim(), n.input(1), g[0]), null},
                (n, t) -> new Tensor[] {t[0].indexSelect(o.dim(), n.input(1))});
    }

    /** inputs: x, index, src. */
    static Rule indexAdd(Op.IndexAdd o) {
        return Rule.of(INPUTS, (n, g) -> new Tensor[] {g[0], null,
            n.needsGrad(2) ? g[0].indexSelect(o.dim(), n.input(1)) : null},
            (n, t) -> {
                Tensor base = t[0] != null ? t[0] : zerosOf(n, 0, t[2]);
                return new Tensor[] {t[2] == null ? base : base.indexAdd(o.dim(), n.input(1), t[2])};
            });
    }

    static Rule cat(Op.Cat o) {
        return Rule.of(NOTHING, (n, g) -> {
            Tensor[] out = new Tensor[n.inputShapes.length];
            int off = 0;
            for (int i = 0; i < out.length; i++) {
                int size = n.inputShapes[i][o.dim()];
                out[i] = n.needsGrad(i) ? g[0].narrow(o.dim(), off, size) : null;
                off += size;
            }
            return out;
        }, (n, t) -> {
            Tensor like = null;
            for (Tensor x : t) {
                like = like == null ? x : like;
            }
            Tensor[] parts = new Tensor[t.length];
            for (int i = 0; i < t.length; i++) {
                parts[i] = t[i] != null ? t[i] : zerosOf(n, i, like);
            }
            return new Tensor[] {Tensor.cat(parts, o.dim())};
        });
    }
}
