package dev.kiln.cli.run;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.GradMode;
import dev.kiln.MemoryScope;
import dev.kiln.SparseMatrix;
import dev.kiln.Tensor;
import dev.kiln.cli.EpochProgress;
import dev.kiln.nn.GCNConv;
import dev.kiln.nn.GraphConv;
import dev.kiln.nn.Module;
import dev.kiln.nn.loss.CrossEntropyLoss;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Optimizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Semi-supervised node classification on a planted-partition graph ({@link PlantedPartition}): a few labelled nodes
 * per community, the rest classified from their features and their neighbours'. --model gcn is Kipf and Welling's
 * network (two GCNConv layers), A_hat relu(A_hat X W0) W1 with A_hat = D^-1/2 (A + I) D^-1/2 (GCNConv.normalize);
 * --model poly is two of the course's polynomial layers (GraphConv) Y = phi(sum_{k=0..K} Delta^k X alpha_k + b): their
 * Delta is A_hat too, rather than the Laplacian L = I - A_hat: the polynomials of degree K in either span the same
 * filters, but A_hat's eigenvalues lie in (-1, 1], so its powers stay bounded and A_hat^k X is the features averaged
 * over k hops, the signal on a graph whose edges mostly join a community; L's eigenvalues reach 2, and its powers
 * stress the high frequencies, which are noise here.
 * A_hat is a SparseMatrix, used only through sparse-dense products. Dropout 0.5 on input and hidden layer, hidden width
 * 16, Adam lr 0.01 with weight decay 5e-4 on the first layer only (two optimizers, as the paper's parameter groups),
 * one full-batch step per epoch, cross-entropy on the labelled nodes. scripts/workloads/gcn.py is its PyTorch twin.
 */
final class Gcn implements Workload {
    static final String PICTURE = "accuracy.png";
    static final List<String> FILES = List.of(PICTURE);
    private static final double LR = 0.01;
    private static final double WEIGHT_DECAY = 5e-4;

    private final RunSettings s;
    private final String model;
    private final int order;
    private final SparseMatrix graph;   // A_hat (nodes, nodes)
    private final Tensor x;             // (nodes, F) float32
    private final Tensor y;             // (nodes) int64
    private final Tensor train;         // (labelled) int64 node indices
    private final Tensor validation;
    private final Tensor test;
    private final Generator dropout = new Generator(0);
    private final NodeClassifier net;
    private final Optimizer firstOptimizer;
    private final Optimizer secondOptimizer;
    private final CrossEntropyLoss ce = new CrossEntropyLoss();
    private final String summary;

    /** model "gcn" or "poly" (of polynomial order K = order); hidden the first layer's width. */
    Gcn(RunSettings s, PlantedPartition.Config config, String model, int order, int hidden) {
        this.s = s;
        this.model = model;
        this.order = order;
        PlantedPartition data = PlantedPartition.generate(s.seed(), config);
        graph = GCNConv.normalize(data.adjacency().to(s.device()));
        x = data.features().to(s.device());
        y = data.labels().to(s.device());
        train = data.train().to(s.device());
        validation = data.validation().to(s.device());
        test = data.test().to(s.device());
        summary = String.format(Locale.ROOT, "%d nodes, %d edges; %d labelled, %d validation, %d test", data.nodes(),
                data.edges().length, train.size(0), validation.size(0), test.size(0));
        Generator g = new Generator(s.seed());
        int f = PlantedPartition.FEATURES;
        int c = config.communities();
        // GraphConv's order counts the terms Delta^0 .. Delta^K
        net = (model.equals("gcn") ? new NodeClassifier(new GCNConv(f, hidden, g), new GCNConv(hidden, c, g), dropout)
                : new NodeClassifier(new GraphConv(f, hidden, order + 1, null, g), new GraphConv(hidden, c, order + 1, null, g),
                        dropout)).to(s.device());
        firstOptimizer = Adam.adam(net.layerParameters("first"), LR, 0.9, 0.999, 1e-8, WEIGHT_DECAY, false);
        secondOptimizer = Adam.adam(net.layerParameters("second"), LR);
    }

    static String name(String model, int order) {
        return model.equals("gcn") ? "gcn" : "gcn-poly-" + order;
    }

    /** The graph's sizes, as the twin prints them: the same numbers say both drew the same graph. */
    String summary() {
        return summary;
    }

    @Override
    public String name() {
        return name(model, order);
    }

    @Override
    public List<String> metricNames() {
        return List.of("loss", "val_loss", "train_accuracy", "val_accuracy", "test_accuracy");
    }

    @Override
    public Map<String, Module> modules() {
        return Map.of("model", net);
    }

    @Override
    public Map<String, Optimizer> optimizers() {
        Map<String, Optimizer> m = new LinkedHashMap<>();
        m.put("optimizer_first", firstOptimizer);
        m.put("optimizer_second", secondOptimizer);
        return m;
    }

    /** One full-batch step on the labelled nodes, then every node classified without dropout. */
    @Override
    public double[] epoch(int epoch, RunProgress progress) {
        dropout.manualSeed(~s.epochSeed(epoch));
        try (MemoryScope scope = MemoryScope.open(); EpochProgress bar = progress.bar(train.size(0))) {
            net.train();
            Tensor loss = ce.forward(net.forward(graph, x).indexSelect(0, train), y.indexSelect(0, train));
            loss.backward();
            firstOptimizer.step();
            secondOptimizer.step();
            firstOptimizer.zeroGrad();
            secondOptimizer.zeroGrad();
            double l = loss.item();
            progress.step(0, 1, l);
            bar.step(train.size(0), "loss %.3f", l);
            net.eval();
            try (var noGrad = GradMode.noGrad()) {
                Tensor logits = net.forward(graph, x);                                      // (nodes, C)
                double validationLoss = ce.forward(logits.indexSelect(0, validation), y.indexSelect(0, validation)).item();
                return new double[] {l, validationLoss, accuracy(logits, train), accuracy(logits, validation),
                    accuracy(logits, test)};
            }
        }
    }

    /** The fraction of nodes whose largest logit is their community's. */
    private double accuracy(Tensor logits, Tensor nodes) {
        Tensor right = logits.indexSelect(0, nodes).argmax(1).eq(y.indexSelect(0, nodes)).to(DType.INT64).sum();
        return right.item() / nodes.size(0);
    }

    @Override
    public String describe(double[] m) {
        return String.format(Locale.ROOT, "loss %.4f | validation loss %.4f | accuracy train %.2f%% validation %.2f%%"
                + " test %.2f%%", m[0], m[1], 100 * m[2], 100 * m[3], 100 * m[4]);
    }

    @Override
    public List<String> files() {
        return FILES;
    }

    @Override
    public void write(Path dir, List<double[]> history, StepLog steps) throws IOException {
        GcnPlots.draw(dir.resolve(PICTURE), history, name());
    }
}
