package dev.kiln.nn;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Generator;
import dev.kiln.Shape;
import dev.kiln.SparseMatrix;
import dev.kiln.Tensor;

/**
 * Kipf and Welling's graph convolution (torch_geometric's {@code GCNConv}): Â (X W) + b for node features
 * X (nodes, in), with Â = D^-1/2 (A + I) D^-1/2 from {@link #normalize}. W (in, out) starts Glorot-uniform
 * and b zero, as the paper's code. X W comes first, so the features shrink to out before they travel the
 * edges (one sparse product of width out).
 */
public final class GCNConv extends Module implements GraphLayer {
    private final Parameter weight;   // (in, out)
    private final Parameter bias;     // (out)

    public GCNConv(int inFeatures, int outFeatures, Generator g) {
        weight = registerParameter("weight", Tensor.zeros(new int[] {inFeatures, outFeatures}, DType.FLOAT32, Device.CPU));
        bias = registerParameter("bias", Tensor.zeros(new int[] {outFeatures}, DType.FLOAT32, Device.CPU));
        Init.xavierUniform(weight.data(), 1, g);
    }

    /** aHat (nodes, nodes), x (nodes, in) -> (nodes, out). */
    @Override
    public Tensor forward(SparseMatrix aHat, Tensor x) {
        Tensor w = weight.data();
        if (x.dim() != 2 || x.size(1) != w.size(0) || aHat.cols() != x.size(0)) {
            throw new IllegalArgumentException("GCNConv: x must be (nodes, " + w.size(0) + ") for a " + aHat.rows() + " x "
                    + aHat.cols() + " graph, got " + Shape.str(x.shape()));
        }
        return aHat.mm(x.matmul(w)).add(bias.data());   // (nodes, in) @ (in, out), then summed over neighbours
    }

    /**
     * Â = D^-1/2 (A + I) D^-1/2 of a weighted adjacency A (nodes, nodes) (torch_geometric's {@code gcn_norm}):
     * self loops of weight 1 added, D the row sums of A + I. Differentiable in A's values.
     */
    public static SparseMatrix normalize(SparseMatrix adjacency) {
        int n = adjacency.rows();
        if (n != adjacency.cols()) {
            throw new IllegalArgumentException("GCNConv.normalize: the adjacency must be square, got " + n + " x "
                    + adjacency.cols());
        }
        Device d = adjacency.device();
        Tensor loops = Tensor.arange(0, n, 1, DType.INT64, d);                                          // (n)
        Tensor indices = Tensor.cat(new Tensor[] {adjacency.indices(), Tensor.stack(new Tensor[] {loops, loops}, 0)}, 1);
        Tensor values = Tensor.cat(new Tensor[] {adjacency.values(), Tensor.ones(new int[] {n}, adjacency.dtype(), d)}, 0);
        SparseMatrix withLoops = SparseMatrix.coo(indices, values, n, n);
        Tensor degree = withLoops.mm(Tensor.ones(new int[] {n, 1}, adjacency.dtype(), d)).reshape(n);   // (n) row sums
        Tensor scale = degree.rsqrt();
        Tensor rows = withLoops.pattern().rowIndices();
        Tensor cols = withLoops.pattern().colIndices();
        return withLoops.withValues(withLoops.values().mul(scale.indexSelect(0, rows)).mul(scale.indexSelect(0, cols)));
    }

    public Tensor weight() {
        return weight.data();
    }

    public Tensor bias() {
        return bias.data();
    }

    @Override
    public String toString() {
        return "GCNConv(" + weight.data().size(0) + ", " + weight.data().size(1) + ")";
    }
}
