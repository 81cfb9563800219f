package dev.kiln.nn;

import dev.kiln.SparseMatrix;
import dev.kiln.Tensor;

/**
 * A graph convolution over a sparse graph operator given per call (torch_geometric's convention):
 * node features x (nodes, in) and the operator (nodes, nodes) -> (nodes, out). The operator is the
 * graph's, shared by the layers and never trained or saved, so it is an argument, not a buffer.
 */
public interface GraphLayer {
    Tensor forward(SparseMatrix graph, Tensor x);
}
