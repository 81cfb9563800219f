package dev.kiln.cli.run;

import dev.kiln.Functional;
import dev.kiln.Generator;
import dev.kiln.SparseMatrix;
import dev.kiln.Tensor;
import dev.kiln.nn.GraphLayer;
import dev.kiln.nn.Module;
import dev.kiln.nn.Parameter;
import java.util.List;

/**
 * Two graph layers with ReLU between, dropout 0.5 on the input features and on the hidden layer (Kipf and Welling's
 * recipe): node features (nodes, F) to class logits (nodes, C).
 */
final class NodeClassifier extends Module {
    static final double DROPOUT = 0.5;
    private final GraphLayer first;
    private final GraphLayer second;
    private final Generator dropout;

    /** dropout draws the masks; the workload reseeds it every epoch, so a resumed run draws the same ones. */
    <L extends Module & GraphLayer> NodeClassifier(L first, L second, Generator dropout) {
        this.first = registerModule("first", first);
        this.second = registerModule("second", second);
        this.dropout = dropout;
    }

    Tensor forward(SparseMatrix graph, Tensor x) {
        Tensor h = first.forward(graph, Functional.dropout(x, DROPOUT, isTraining(), dropout)).relu();   // (nodes, hidden)
        return second.forward(graph, Functional.dropout(h, DROPOUT, isTraining(), dropout));         // (nodes, C)
    }

    /** The parameters of layer "first" (which alone get weight decay) or "second". */
    List<Parameter> layerParameters(String layer) {
        return namedChildren().get(layer).parameters();
    }
}
