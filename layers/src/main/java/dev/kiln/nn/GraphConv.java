package dev.kiln.nn;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Generator;
import dev.kiln.Shape;
import dev.kiln.Tensor;

/**
 * Polynomial graph convolution over a fixed Laplacian Δ (nodes x nodes):
 * Y = φ(Σ_{k=0}^{K-1} Δ^k X α_k + b) for node features X (nodes, in) -> (nodes, out);
 * α (K, in, out) and b (out) start U(±1/sqrt(K in)); φ is {@code activation} or none.
 */
public final class GraphConv extends Layer {
    private final int order;
    private final Parameter alpha; // (K, in, out)
    private final Parameter bias; // (out)
    private final Layer activation;

    public GraphConv(Tensor laplacian, int inFeatures, int outFeatures, int order, Layer activation, Generator g) {
        if (laplacian.dim() != 2 || laplacian.size(0) != laplacian.size(1)) {
            throw new IllegalArgumentException("GraphConv: the Laplacian must be square (nodes, nodes), got "
                    + Shape.str(laplacian.shape()));
        }
        if (order < 1) {
            throw new IllegalArgumentException("GraphConv: the polynomial order K must be >= 1, got " + order);
        }
        registerBuffer("laplacian", laplacian); // a buffer, so module.to(dtype) casts it
        this.order = order;
        this.alpha = registerParameter("alpha", Tensor.zeros(new int[] {order, inFeatures, outFeatures}, DType.FLOAT32, Device.CPU));
        this.bias = registerParameter("bias", Tensor.zeros(new int[] {outFeatures}, DType.FLOAT32, Device.CPU));
        double bound = 1 / Math.sqrt(order * inFeatures);
        Init.uniform(alpha.data(), -bound, bound, g);
        Init.uniform(bias.data(), -bound, bound, g);
        this.activation = activation == null ? null : registerModule("activation", activation);
    }

    /** The alpha tensor (its {@link Parameter}'s leaf, null when the layer has none), as torch's module.alpha. */
    public Tensor alpha() {
        return alpha == null ? null : alpha.data();
    }

    /** The bias tensor (its {@link Parameter}'s leaf, null when the layer has none), as torch's module.bias. */
    public Tensor bias() {
        return bias == null ? null : bias.data();
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor lap = buffer("laplacian").to(x.dtype());
        if (x.dim() != 2 || x.size(0) != lap.size(0)) {
            throw new IllegalArgumentException("GraphConv: input must be (nodes, in) with " + lap.size(0) + " nodes, got "
                    + Shape.str(x.shape()));
        }
        Tensor a = alpha.data();
        Tensor h = x; // Δ^k X, (nodes, in)
        Tensor y = h.matmul(a.select(0, 0)); // (nodes, out)
        for (int k = 1; k < order; k++) {
            h = lap.matmul(h);
            y = y.add(h.matmul(a.select(0, k)));
        }
        y = y.add(bias.data());
        return activation == null ? y : activation.forward(y);
    }

    @Override
    public String toString() {
        return "GraphConv(nodes=" + buffer("laplacian").size(0) + ", in=" + alpha.shape()[1] + ", out=" + alpha.shape()[2] + ", K=" + order
                + ")";
    }
}
