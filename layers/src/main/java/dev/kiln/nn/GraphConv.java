package dev.kiln.nn;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Generator;
import dev.kiln.Shape;
import dev.kiln.SparseMatrix;
import dev.kiln.Tensor;
import java.util.function.UnaryOperator;

/**
 * The course's polynomial graph convolution Y = φ(Σ_{k=0}^{K-1} Δ^k X α_k + b) for node features
 * X (nodes, in) -> (nodes, out); α (K, in, out) and b (out) start U(±1/sqrt(K in)); φ is
 * {@code activation} or none. Δ is either fixed at construction (a dense Laplacian buffer, as
 * {@code forward(x)} uses it) or a sparse graph operator given per call ({@code forward(delta, x)}):
 * Δ^k X is then k sparse products, never a dense power.
 */
public final class GraphConv extends Layer implements GraphLayer {
    private final int order;
    private final Parameter alpha; // (K, in, out)
    private final Parameter bias; // (out)
    private final Layer activation;

    /** Over a fixed dense Laplacian (nodes, nodes), a buffer (so module.to(dtype) casts it): {@link #forward(Tensor)}. */
    public GraphConv(Tensor laplacian, int inFeatures, int outFeatures, int order, Layer activation, Generator g) {
        this(inFeatures, outFeatures, order, activation, g);
        if (laplacian.dim() != 2 || laplacian.size(0) != laplacian.size(1)) {
            throw new IllegalArgumentException("GraphConv: the Laplacian must be square (nodes, nodes), got "
                    + Shape.str(laplacian.shape()));
        }
        registerBuffer("laplacian", laplacian);
    }

    /** Over the sparse operator each call gives: {@link #forward(SparseMatrix, Tensor)}. */
    public GraphConv(int inFeatures, int outFeatures, int order, Layer activation, Generator g) {
        if (order < 1) {
            throw new IllegalArgumentException("GraphConv: the polynomial order K must be >= 1, got " + order);
        }
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

    /** x (nodes, in) over the Laplacian given at construction. */
    @Override
    public Tensor forward(Tensor x) {
        if (buffer("laplacian") == null) {
            throw new IllegalStateException("GraphConv: made without a Laplacian; call forward(delta, x) with the graph's"
                    + " operator");
        }
        Tensor lap = buffer("laplacian").to(x.dtype());
        return polynomial(lap.size(0), lap::matmul, x);
    }

    /** x (nodes, in) over delta (nodes, nodes). */
    @Override
    public Tensor forward(SparseMatrix delta, Tensor x) {
        return polynomial(delta.rows(), delta::mm, x);
    }

    private Tensor polynomial(int nodes, UnaryOperator<Tensor> delta, Tensor x) {
        if (x.dim() != 2 || x.size(0) != nodes) {
            throw new IllegalArgumentException("GraphConv: input must be (nodes, in) with " + nodes + " nodes, got "
                    + Shape.str(x.shape()));
        }
        Tensor a = alpha.data();
        Tensor h = x; // Δ^k X, (nodes, in)
        Tensor y = h.matmul(a.select(0, 0)); // (nodes, out)
        for (int k = 1; k < order; k++) {
            h = delta.apply(h);
            y = y.add(h.matmul(a.select(0, k)));
        }
        y = y.add(bias.data());
        return activation == null ? y : activation.forward(y);
    }

    @Override
    public String toString() {
        String nodes = buffer("laplacian") != null ? "nodes=" + buffer("laplacian").size(0) + ", " : "";
        return "GraphConv(" + nodes + "in=" + alpha.shape()[1] + ", out=" + alpha.shape()[2] + ", K=" + order + ")";
    }
}
